// One `sh -s` per connection that runs command after command sent on its stdin, instead of an exec
// session per command. Why: a session costs the server a fork, the login shell and our `sh -c`
// before a line of the command runs (measured on loopback: ~21 ms a command as 4 sessions against
// ~6 ms in one held shell; 4 commands to 20 hosts on 2 cores, 1.7-1.9 s against 1.2-1.3 s).
//
// Each command keeps what `sh -c` gave it: it runs in its own subshell (`eval` of the same text,
// quoted, so that no script can end or confuse the held shell: a syntax error or an unbalanced
// quote fails only that command), with stdin from /dev/null (the held shell's stdin is the next
// commands), and nothing it sets or changes outlives it. Its end is a line with its exit status,
// on stdout and on stderr, named by a per-shell nonce and the command's number.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { renderCmd, type Cmd } from '../shell/cmd.js';
import { quote } from '../shell/quote.js';
import { appendCapped, type ExecOptions, type ExecResult, type StdinSource } from './transport.js';

/** What the held shell is started as, on the server. */
const HELD_SHELL_COMMAND = 'sh -s';

/** Runs `command` (the held shell) with this stdin and output; settles when it ends. */
export type StartShell = (command: string, run: Required<Pick<ExecOptions, 'stdin' | 'onStdout' | 'onStderr' | 'signal'>>) => Promise<ExecResult>;

interface Running {
  started: number;
  options: ExecOptions;
  stdout: string;
  stderr: string;
  /** Exit status as each stream's end line gave it. */
  outCode?: number;
  errCode?: number;
  out: EndLineSplitter;
  err: EndLineSplitter;
  resolve: (r: ExecResult) => void;
  reject: (e: unknown) => void;
}

export class HeldShell {
  private readonly nonce = randomBytes(8).toString('hex');
  private readonly stop = new AbortController();
  private count = 0;
  private current: Running | undefined;
  private input: Writable | undefined;
  private queued: string[] = [];
  private ending = false;
  private ended = false;
  private markEnded!: () => void;
  /** Settles once the shell has ended, however it ended. */
  readonly done = new Promise<void>((resolve) => (this.markEnded = resolve));

  /** `start` runs the shell; `endedEarly` is the error for a command whose shell ended without its exit status. */
  constructor(
    start: StartShell,
    private readonly endedEarly: () => Error,
  ) {
    const stdin: StdinSource = {
      writeTo: (dest, stop) =>
        new Promise<void>((resolve) => {
          this.input = dest;
          // A write that meets a closed channel fails the shell through the channel's close.
          dest.on('error', () => {});
          for (const text of this.queued) dest.write(text);
          this.queued = [];
          // Never ended by us (close() sends `exit`): done when the shell's channel is.
          stop.addEventListener('abort', () => resolve(), { once: true });
        }),
    };
    start(HELD_SHELL_COMMAND, {
      stdin,
      onStdout: (c) => this.current?.out.push(c),
      onStderr: (c) => this.current?.err.push(c),
      signal: this.stop.signal,
    }).then(
      (r) => this.finish(() => this.shellEnded(r)),
      (e: unknown) => this.finish(() => this.current?.reject(e)),
    );
  }

  /** Free for a command: started, not ended, not running one. */
  get idle(): boolean {
    return !this.ended && !this.ending && this.current === undefined;
  }

  /** Runs `cmd` as `sh -c` would; only while idle. Its output reaches the options' handlers. */
  run(cmd: Cmd, options: ExecOptions = {}): Promise<ExecResult> {
    if (!this.idle) return Promise.reject(new Error('the held shell is busy or ended'));
    const n = ++this.count;
    const end = `@@shipyaml:done:${this.nonce}:${n}:`;
    return new Promise<ExecResult>((resolve, reject) => {
      const r: Running = {
        started: performance.now(),
        options,
        stdout: '',
        stderr: '',
        out: new EndLineSplitter(end, (c) => {
          r.stdout = appendCapped(r.stdout, c);
          options.onStdout?.(c);
        }, (code) => this.streamDone(r, 'out', code)),
        err: new EndLineSplitter(end, (c) => {
          r.stderr = appendCapped(r.stderr, c);
          options.onStderr?.(c);
        }, (code) => this.streamDone(r, 'err', code)),
        resolve,
        reject,
      };
      this.current = r;
      // An interrupt ends the whole held shell (sshd signals the session's process group): the
      // command's result is then the shell's, as with a session of its own.
      options.signal?.addEventListener('abort', this.abort, { once: true });
      this.send(
        `( eval ${quote(renderCmd(cmd))} ) </dev/null\n` +
          `shipyaml_rc=$?; echo "${end}$shipyaml_rc"; echo "${end}$shipyaml_rc" >&2\n`,
      );
    });
  }

  /**
   * Ends the shell once the command running (if any) is done. With `exit`, not the end of its
   * input: sshd then closes the channel only after it has reaped the shell and sent its status.
   * After an end of input it may close the channel first, and a connection closed right after
   * leaves the shell to init (a zombie where init does not reap, its CPU outside sshd's).
   */
  close(): void {
    if (this.ending) return;
    this.ending = true;
    this.send('exit 0\n');
  }

  private readonly abort = () => this.stop.abort();

  private send(text: string): void {
    if (this.ended) return;
    if (this.input) this.input.write(text);
    else this.queued.push(text);
  }

  private streamDone(r: Running, stream: 'out' | 'err', code: number): void {
    if (stream === 'out') r.outCode = code;
    else r.errCode = code;
    if (r.outCode === undefined || r.errCode === undefined) return;
    this.settle(r, () => r.resolve(resultOf(r, r.outCode!)));
  }

  private shellEnded(result: ExecResult): void {
    const r = this.current;
    if (!r) return;
    r.out.flush();
    r.err.flush();
    const code = r.outCode ?? r.errCode;
    // Its status came on one stream before the shell ended: that is the command's.
    if (code !== undefined) return this.settle(r, () => r.resolve(resultOf(r, code)));
    // The shell was ended under it (an interrupt, a kill): its end is the command's, as a session's would be.
    if (result.code !== 0 || result.signal) return this.settle(r, () => r.resolve(resultOf(r, result.code, result.signal)));
    this.settle(r, () => r.reject(this.endedEarly()));
  }

  private settle(r: Running, fn: () => void): void {
    if (this.current !== r) return;
    this.current = undefined;
    r.options.signal?.removeEventListener('abort', this.abort);
    fn();
  }

  private finish(fn: () => void): void {
    this.ended = true;
    fn();
    this.current = undefined;
    this.markEnded();
  }
}

function resultOf(r: Running, code: number, signal?: string): ExecResult {
  return { code, ...(signal ? { signal } : {}), stdout: r.stdout, stderr: r.stderr, ms: performance.now() - r.started };
}

/**
 * Passes a stream's bytes on until the line `END<status>\n`, then reports the status. Bytes that
 * may be the start of that line are held back until the next chunk tells; nothing else waits.
 */
export class EndLineSplitter {
  private held: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly end: Buffer;

  constructor(end: string, private readonly deliver: (chunk: Buffer) => void, private readonly onEnd: (code: number) => void) {
    this.end = Buffer.from(end);
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    const buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const at = buf.indexOf(this.end);
    if (at >= 0) {
      const nl = buf.indexOf(0x0a, at + this.end.length);
      if (at > 0) this.deliver(buf.subarray(0, at));
      if (nl < 0) {
        this.held = Buffer.from(buf.subarray(at));
        return;
      }
      this.done = true;
      this.held = Buffer.alloc(0);
      this.onEnd(Number(buf.subarray(at + this.end.length, nl).toString('latin1')));
      return;
    }
    const keep = this.partialEnd(buf);
    if (buf.length > keep) this.deliver(buf.subarray(0, buf.length - keep));
    this.held = keep ? Buffer.from(buf.subarray(buf.length - keep)) : Buffer.alloc(0);
  }

  /** What is held back goes out as output: the stream ended without the end line. */
  flush(): void {
    if (this.done || !this.held.length) return;
    this.deliver(this.held);
    this.held = Buffer.alloc(0);
  }

  /** The length of the longest tail of `buf` that is a start of the end line. */
  private partialEnd(buf: Buffer): number {
    for (let k = Math.min(this.end.length - 1, buf.length); k > 0; k--) {
      if (buf.subarray(buf.length - k).equals(this.end.subarray(0, k))) return k;
    }
    return 0;
  }
}
