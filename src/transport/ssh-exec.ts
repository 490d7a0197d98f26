// One command as one exec channel on the host's connection. The server's login shell gets
// `sh -c '<rendered Cmd>'`, so every host runs the same POSIX sh text whatever its login shell.
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Client, ClientChannel } from 'ssh2';
import type { ShipyamlError } from '../errors/shipyaml-error.js';
import { renderCmd, type Cmd } from '../shell/cmd.js';
import { quote } from '../shell/quote.js';
import { pacedChannel } from './ssh-pacing.js';
import { appendCapped, type ExecOptions, type ExecResult } from './transport.js';

export interface ExecContext {
  /** The error to fail with when the connection is (or goes) away. */
  lost(): ShipyamlError | undefined;
  /** Registers a running exec to be failed if the connection drops; returns the unregister. */
  track(fail: (e: ShipyamlError) => void): () => void;
  /** Builds the "connection lost" error (a channel closed without an exit status). */
  lostError(reason: string): ShipyamlError;
  /** Told how long each channel took to open and start its command: two round trips and a fork. */
  opened?(ms: number): void;
  /** The connection's round-trip time as known so far (see ssh-pacing.ts). */
  rttMs?(): number | undefined;
}

/**
 * What the server's login shell is asked to run: the rendered Cmd under `sh -c`, so every host
 * runs the same POSIX sh text whatever the user's login shell is.
 */
export function remoteCommand(cmd: Cmd): string {
  return `sh -c ${quote(renderCmd(cmd))}`;
}

/** After an abort, how long to wait for the server to confirm before giving up on the channel. */
const ABORT_GRACE_MS = 5_000;

/** Runs `command` (remoteCommand's, or the held shell's) on one exec channel of `client`. */
export function execOnClient(client: Client, command: string, options: ExecOptions, ctx: ExecContext): Promise<ExecResult> {
  const started = performance.now();
  return new Promise<ExecResult>((resolve, reject) => {
    const already = ctx.lost();
    if (already) return reject(already);
    let settled = false;
    let channel: ClientChannel | undefined;
    let aborted = false;
    let abortTimer: NodeJS.Timeout | undefined;
    let stdinError: Error | undefined;
    const stopStdin = new AbortController();
    let stdout = '';
    let stderr = '';
    let code: number | undefined;
    let signal: string | undefined;

    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      untrack();
      if (abortTimer) clearTimeout(abortTimer);
      options.signal?.removeEventListener('abort', abort);
      stopStdin.abort();
      fn();
    };
    const untrack = ctx.track((e) => settle(() => reject(e)));

    /** The channel is done: from the server's close, or our own give-up after an abort. */
    const finish = () => {
      if (stdinError) {
        const e = stdinError;
        return settle(() => reject(e));
      }
      if (code === undefined && !aborted) {
        return settle(() => reject(ctx.lost() ?? ctx.lostError('the channel closed without an exit status')));
      }
      settle(() =>
        resolve({
          code: code ?? 128 + constants.signals.SIGTERM,
          ...(signal ? { signal } : code === undefined ? { signal: 'SIGTERM' } : {}),
          stdout,
          stderr,
          ms: performance.now() - started,
        }),
      );
    };
    const onStdinError = (e: Error) => {
      stdinError = e;
      channel?.close();
    };
    const abort = () => {
      aborted = true;
      if (!channel) return; // signalled as soon as the channel opens
      // sshd answers with killpg(): the whole command tree gets SIGTERM. It refuses for root
      // sessions (no privilege separation there) and before OpenSSH 7.9; then the command keeps
      // running, so stop waiting after a grace period and close our end instead of hanging.
      sendSignal(channel, 'TERM');
      abortTimer ??= setTimeout(() => {
        channel?.close();
        finish();
      }, ABORT_GRACE_MS);
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    if (options.signal?.aborted) aborted = true;

    const opening = performance.now();
    client.exec(command, (err, ch) => {
      if (!err) ctx.opened?.(performance.now() - opening);
      if (err) {
        settle(() => reject(ctx.lost() ?? ctx.lostError(`could not open a channel: ${err.message.replace(/^\(SSH\) /, '')}`)));
        return;
      }
      channel = ch;
      if (settled) {
        ch.close();
        return;
      }
      // Always consume stdout: an ssh2 channel never emits 'close' while its data sits unread.
      ch.on('data', (c: Buffer) => {
        stdout = appendCapped(stdout, c);
        options.onStdout?.(c);
      });
      ch.stderr.on('data', (c: Buffer) => {
        stderr = appendCapped(stderr, c);
        options.onStderr?.(c);
      });
      ch.on('exit', (exitCode: number | null, sig?: string) => {
        if (typeof exitCode === 'number') code = exitCode;
        else if (sig) {
          signal = sig.startsWith('SIG') ? sig : `SIG${sig}`;
          code = 128 + ((constants.signals as Record<string, number>)[signal] ?? 0);
        }
      });
      ch.on('error', () => {}); // surfaces as 'close' (and as the connection's own error)
      ch.on('close', finish);
      if (options.stdin) {
        options.stdin.writeTo(pacedChannel(ch, { rttMs: ctx.rttMs?.() }), stopStdin.signal).catch(onStdinError); // ends the channel (EOF) when done
      } else {
        ch.end(); // EOF at once, so a command that reads stdin does not wait forever
      }
      if (aborted) abort();
    });
  });
}

interface ChannelInternals {
  outgoing?: { id?: number; state?: string };
  _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
}

/**
 * ssh2 1.17's `channel.signal()` is a silent no-op once stdin has ended (it checks that the
 * stream is still writable), and every exec ends stdin — so abort would never reach the
 * server. Upstream: mscdex/ssh2#1510. Until that lands, send the request through the protocol
 * object while the channel is open or half-closed, and fall back to the public method.
 */
function sendSignal(ch: ClientChannel, name: string): void {
  const internals = ch as unknown as ChannelInternals;
  const state = internals.outgoing?.state;
  const id = internals.outgoing?.id;
  const protocol = internals._client?._protocol;
  try {
    if (typeof id === 'number' && (state === 'open' || state === 'eof') && typeof protocol?.signal === 'function') {
      protocol.signal(id, name);
    } else {
      ch.signal(name);
    }
  } catch {
    /* the channel is already gone */
  }
}
