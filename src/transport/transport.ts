import type { Writable } from 'node:stream';
import type { Cmd } from '../shell/cmd.js';
import type { HostSpec } from '../config/stage-config.js';

/**
 * A command's stdin, written by its producer rather than piped: the producer reuses a few
 * buffers, so it must learn when the channel has taken each one, which a pipe does not tell.
 */
export interface StdinSource {
  /**
   * Writes everything into `dest`, then ends it. Stops without ending it once `stop` aborts or
   * dest refuses a write (the command's exit says what happened); rejects only when its own
   * input cannot be read.
   */
  writeTo(dest: Writable, stop: AbortSignal): Promise<void>;
}

export interface ExecOptions {
  /** The command's stdin (a tar stream for uploads); without it, stdin is empty. */
  stdin?: StdinSource;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface ExecResult {
  code: number;
  /** Set when the remote process died of a signal. */
  signal?: string;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * How commands reach a host. Every transport runs the same rendered POSIX sh text; only the
 * channel differs (child_process, an ssh2 exec channel on one connection, or nothing at all).
 */
export interface Transport {
  readonly host: HostSpec;
  readonly kind: 'local' | 'ssh' | 'dry-run';
  /** Opens the connection (no-op for local); throws ShipyamlError E_CONNECT/E_AUTH/E_HOST_KEY_*. */
  connect(): Promise<void>;
  exec(cmd: Cmd, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

/** Keeps at most this many bytes of a command's output in memory; the tail is what matters. */
export const OUTPUT_LIMIT = 256 * 1024;

export function appendCapped(prev: string, chunk: Buffer): string {
  const next = prev + chunk.toString('utf8');
  return next.length > OUTPUT_LIMIT ? next.slice(next.length - OUTPUT_LIMIT) : next;
}
