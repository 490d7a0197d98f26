import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { HostSpec } from '../config/stage-config.js';
import { renderCmd, type Cmd } from '../shell/cmd.js';
import { appendCapped, type ExecOptions, type ExecResult, type Transport } from './transport.js';

/** The built-in `local` target: the "server" is this machine; commands run in /bin/sh. */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  constructor(readonly host: HostSpec) {}

  async connect(): Promise<void> {}

  exec(cmd: Cmd, options: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', renderCmd(cmd)], {
        stdio: ['pipe', 'pipe', 'pipe'],
        // A hook must not be killed with us by a terminal's Ctrl-C: the runner decides.
        detached: true,
        env: { ...process.env, LC_ALL: 'C' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout = appendCapped(stdout, c);
        options.onStdout?.(c);
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr = appendCapped(stderr, c);
        options.onStderr?.(c);
      });
      child.stdin.on('error', () => {}); // EPIPE when the command exits before reading all input
      // A source that fails (the build changed under the tar writer) stops the command: its
      // error, not the command's exit code, is what the step failed of.
      let stdinError: Error | undefined;
      const stopStdin = new AbortController();
      if (options.stdin) {
        options.stdin.writeTo(child.stdin, stopStdin.signal).catch((e: Error) => {
          stdinError = e;
          child.stdin.destroy();
          abort();
        });
      } else child.stdin.end();
      const abort = () => {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {
            /* already gone */
          }
        }
      };
      options.signal?.addEventListener('abort', abort, { once: true });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        options.signal?.removeEventListener('abort', abort);
        stopStdin.abort();
        if (stdinError) return reject(stdinError);
        resolve({
          code: code ?? 128 + 15,
          ...(signal ? { signal } : {}),
          stdout,
          stderr,
          ms: performance.now() - started,
        });
      });
    });
  }

  async close(): Promise<void> {}
}
