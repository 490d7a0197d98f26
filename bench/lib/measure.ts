// Timing, memory and CPU of one command; what the sshd hosts saw (connections, exec sessions,
// CPU). Every child is spawned here and killed only by its own PID when it outlives its time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { descendants, killQuietly, readProcs } from '../../test/harness/proc.js';
import type { SshdHost } from '../../test/harness/sshd.js';

export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
  /** From /usr/bin/time (when asked): peak RSS of the process (or its largest waited-for child). */
  maxRssKB?: number;
  /** user + system CPU seconds of the process and every child it waited for. */
  cpuS?: number;
}

const TIME = '/usr/bin/time';

/** Runs argv (no shell) and measures its wall time; with `usage`, under /usr/bin/time for memory and CPU. */
export async function timed(
  argv: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; usage?: boolean } = {},
): Promise<Timed> {
  let usageFile: string | undefined;
  let full = [...argv];
  if (opts.usage) {
    const dir = mkdtempSync(join(tmpdir(), 'shipyaml-bench-time-'));
    usageFile = join(dir, 'usage');
    full = [TIME, '-f', '%M %U %S', '-o', usageFile, ...argv];
  }
  const [file, ...args] = full;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  try {
    const r = await new Promise<Omit<Timed, 'maxRssKB' | 'cpuS'>>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(file!, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const timer = setTimeout(() => {
        if (child.pid !== undefined) for (const p of [...descendants(child.pid), child.pid]) killQuietly(p, 'SIGKILL');
        reject(new Error(`timed out after ${timeoutMs} ms: ${argv.join(' ')}`));
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      // Timed to 'exit'; output read until 'close', or 2 s after the exit if a daemonised
      // grandchild (an ssh ControlMaster) still holds the pipes.
      let ms = 0;
      let code = 0;
      let drain: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(drain);
        resolve({ ms, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
        child.stdout.destroy();
        child.stderr.destroy();
      };
      child.on('exit', (c, signal) => {
        ms = performance.now() - t0;
        code = c ?? (signal ? 128 : 1);
        clearTimeout(timer);
        drain = setTimeout(finish, 2_000);
      });
      child.on('close', () => {
        if (drain) finish();
      });
    });
    if (!usageFile) return r;
    const text = readFileSync(usageFile, 'utf8').trim().split('\n').pop() ?? '';
    const [rss, user, sys] = text.split(' ').map(Number);
    return { ...r, maxRssKB: rss, cpuS: (user ?? 0) + (sys ?? 0) };
  } finally {
    if (usageFile) rmSync(join(usageFile, '..'), { recursive: true, force: true });
  }
}

const TICK = 100; // USER_HZ: /proc times are in 1/100 s on Linux

/** CPU seconds used by a process and every child it has reaped (utime + stime + cutime + cstime); 0 if gone. */
export function processCpuS(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "pid (comm) ": state=0 … utime=11 stime=12 cutime=13 cstime=14
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
}

/**
 * CPU seconds of a whole process tree so far: every live member's own time plus what it has
 * reaped. Each process that ever ran in the tree is counted once — by itself while alive, then
 * by whoever reaped it — so this is exact whenever no member exits mid-read.
 */
export function treeCpuS(pid: number): number {
  return [pid, ...descendants(pid)].reduce((n, p) => n + processCpuS(p), 0);
}

/** CPU seconds of the processes whose command line passes `match` (sampled; see pollCpu). */
function cpuOfMatching(match: (cmdline: string) => boolean, seen: Map<number, number>): void {
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const d of pids) {
    const pid = Number(d);
    if (pid === process.pid) continue;
    try {
      if (!match(readFileSync(`/proc/${d}/cmdline`, 'utf8'))) continue;
    } catch {
      continue;
    }
    const cpu = processCpuS(pid);
    if (cpu > 0 || !seen.has(pid)) seen.set(pid, cpu);
  }
}

/**
 * Samples, every intervalMs while a command runs, the CPU of processes whose command line
 * passes `match` — for daemonised children no one in the measured tree waits for (an ssh
 * ControlMaster with ControlPersist). Returns a stop() that gives the total last seen.
 */
export function pollCpu(match: (cmdline: string) => boolean, intervalMs = 50): { stop: () => number } {
  const seen = new Map<number, number>();
  cpuOfMatching(match, seen);
  const timer = setInterval(() => cpuOfMatching(match, seen), intervalMs);
  return {
    stop: () => {
      cpuOfMatching(match, seen);
      clearInterval(timer);
      return [...seen.values()].reduce((a, b) => a + b, 0);
    },
  };
}

/**
 * Waits (bounded) until the machine is quiet — under `maxBusyCores` of CPU over a 300 ms
 * window — so that other work on a shared machine does not land inside a measurement.
 * Returns how long it waited and the last busy level seen.
 */
export async function waitQuiet(maxWaitMs: number, maxBusyCores = 0.25): Promise<{ waitedMs: number; busyCores: number }> {
  const t0 = Date.now();
  let busy = 0;
  for (let i = 0; i < 10_000; i++) {
    const b0 = machineBusyS();
    await new Promise((r) => setTimeout(r, 300));
    busy = (machineBusyS() - b0) / 0.3;
    if (busy < maxBusyCores || Date.now() - t0 >= maxWaitMs) break;
  }
  return { waitedMs: Date.now() - t0, busyCores: busy };
}

/** The whole machine's busy CPU seconds so far (all cores), from /proc/stat. */
export function machineBusyS(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICK;
}

export interface HostCounters {
  connections: number;
  sessions: number;
  cpuS: number;
}

/** Connections ("Accepted publickey") and exec sessions ("Starting session:") in the host's log, and sshd's CPU. */
export function hostCounters(h: SshdHost): HostCounters {
  const log = readFileSync(h.logFile, 'utf8').split('\n');
  return {
    connections: log.filter((l) => l.startsWith('Accepted publickey for ')).length,
    sessions: log.filter((l) => l.startsWith('Starting session: ')).length,
    cpuS: treeCpuS(h.pid),
  };
}

/**
 * Waits (bounded) until every host's sshd has reaped its connection processes, so that their
 * CPU is in the listener's cutime/cstime and their log lines are written.
 */
export async function settle(hosts: readonly SshdHost[], timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1_000 && Date.now() < deadline; i++) {
    if (hosts.every((h) => descendants(h.pid).length === 0)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

export function diffCounters(before: HostCounters[], after: HostCounters[]): HostCounters[] {
  return after.map((a, i) => ({
    connections: a.connections - before[i]!.connections,
    sessions: a.sessions - before[i]!.sessions,
    cpuS: a.cpuS - before[i]!.cpuS,
  }));
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One pass over /proc: every process's parent, name and own CPU seconds (utime + stime). */
function snapshotProcs(): Map<number, { ppid: number; comm: string; cpuS: number }> {
  const out = new Map<number, { ppid: number; comm: string; cpuS: number }>();
  for (const [pid, p] of readProcs()) out.set(pid, { ppid: p.ppid, comm: p.comm, cpuS: (Number(p.fields[11]) + Number(p.fields[12])) / TICK });
  return out;
}

/**
 * Server CPU by program (sshd, sh, tar, md5sum, cp, rsync…): samples the process trees under
 * rootPids every intervalMs and keeps each process's own CPU as last seen. A process that lives
 * less than an interval may be missed: its CPU shows up only in the tree total (treeCpuS), so
 * callers report the difference as "short-lived, not sampled".
 */
export function pollPrograms(rootPids: readonly number[], intervalMs = 50): { stop: () => Map<string, number> } {
  const seen = new Map<number, { comm: string; base: number; last: number }>();
  const tick = (first: boolean) => {
    const procs = snapshotProcs();
    const children = new Map<number, number[]>();
    for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
    const queue = [...rootPids];
    for (let i = 0; i < queue.length && i < procs.size + rootPids.length; i++) {
      const pid = queue[i]!;
      const p = procs.get(pid);
      if (p) {
        const s = seen.get(pid);
        // CPU a process had before the poll began is not part of this run.
        if (!s) seen.set(pid, { comm: p.comm, base: first ? p.cpuS : 0, last: p.cpuS });
        else {
          s.last = p.cpuS;
          s.comm = p.comm; // after exec the name changes (sh -> tar)
        }
      }
      queue.push(...(children.get(pid) ?? []));
    }
  };
  tick(true);
  const timer = setInterval(() => tick(false), intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      tick(false);
      const by = new Map<string, number>();
      for (const s of seen.values()) by.set(s.comm, (by.get(s.comm) ?? 0) + (s.last - s.base));
      return by;
    },
  };
}
