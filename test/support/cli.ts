import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The built CLI, through the package's bin as users run it (with V8's code cache, kept under the
 * tests' XDG_CACHE_HOME: vitest.config.ts). SHIPYAML_TEST_CLI points at another build (e.g. a
 * private one while dist/ is rebuilt).
 */
export const CLI = process.env.SHIPYAML_TEST_CLI ?? fileURLToPath(new URL('../../dist/cli/bin.cjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would (no TTY), bounded in time. */
export function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return startCli(args, opts).done;
}

export interface RunningCli {
  pid: number;
  output: () => string;
  /** Resolves when stdout+stderr matches, rejects after timeoutMs. */
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
  signal: (sig: NodeJS.Signals) => void;
  done: Promise<CliResult>;
}

/** Starts the built CLI and lets a test act while it runs (signals, kill -9 at a chosen moment). */
export function startCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, CI: 'true', FORCE_COLOR: '', NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.re.test(stdout + stderr)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on('data', (c: Buffer) => ((stdout += c.toString()), check()));
  child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString()), check()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 128), stdout, stderr });
    });
  });
  return {
    pid: child.pid!,
    output: () => stdout + stderr,
    waitFor: (re, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output so far:\n${stdout}${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(t), resolve()) });
        check();
      }),
    signal: (sig) => child.kill(sig),
    done,
  };
}
