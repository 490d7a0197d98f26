// Process helpers for the sshd harness. Everything here acts on PIDs the harness started (or
// their descendants, found through /proc): never on processes found by name.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv to completion (no shell), killing it by PID if it outlives timeoutMs. */
export function runArgv(
  argv: readonly string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runArgv: empty argv');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      if (child.pid !== undefined) killQuietly(child.pid, 'SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms: ${argv.join(' ')}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

export async function runOk(argv: readonly string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  const r = await runArgv(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Alive means: exists and is not a zombie (PID 1 here may not reap orphans promptly). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Every live descendant of pid, found by walking the parent links in /proc. sshd sessions call
 * setsid(), so a process-group kill would miss them; the parent chain does not. Bounded by the
 * number of processes on the machine.
 */
export function descendants(pid: number): number[] {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const [child, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), child]);
  const out: number[] = [];
  const queue = [pid];
  for (let i = 0; i < queue.length && i <= procs.size; i++) {
    for (const c of children.get(queue[i]!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export interface ProcInfo {
  ppid: number;
  comm: string;
  /** Fields after the command name in /proc/PID/stat (field 3 of proc(5) is index 0). */
  fields: string[];
}

/** One pass over /proc: every process's parent, name and remaining stat fields. */
export function readProcs(): Map<number, ProcInfo> {
  const out = new Map<number, ProcInfo>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    out.set(Number(name), { ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, close), fields });
  }
  return out;
}

/** Polls until none of pids is alive, at most timeoutMs; returns the ones still alive. */
export async function waitGone(pids: readonly number[], timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1_000; i++) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await sleep(10);
  }
  return pids.filter(isAlive);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
