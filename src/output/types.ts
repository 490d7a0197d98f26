import type { Style } from './style.js';
import type { RunEvent } from '../run/events.js';

export type OutputMode = 'auto' | 'tty' | 'plain' | 'json';
export type ResolvedMode = Exclude<OutputMode, 'auto'>;

export interface ReporterOptions {
  mode: OutputMode;
  /** Every command and every output line, with a host prefix. */
  verbose?: boolean;
  /** false is --no-color; true only allows colour where the stream supports it. */
  color?: boolean;
  /** Where progress goes; process.stdout by default. */
  stream?: NodeJS.WritableStream;
  /** Failure and error blocks (tty/plain only); process.stderr by default, or `stream` when that is given. */
  errorStream?: NodeJS.WritableStream;
  /** Applied to everything printed, although events arrive redacted: defence in depth. */
  redact?: (s: string) => string;
  /** For tests: timestamps and elapsed times. */
  clock?: () => Date;
  /** For tests: CI, NO_COLOR, FORCE_COLOR, TERM. */
  env?: NodeJS.ProcessEnv;
}

export interface Reporter {
  emit(e: RunEvent): void;
  /** One error block for an error thrown outside a run (config, usage, a bug). */
  error(err: unknown): void;
  /** Ends rendering and prints what waits for the end (failure blocks, summary); bounded, never hangs. */
  close(): Promise<void>;
}

/** What the plain and terminal renderers are built with (resolved from ReporterOptions). */
export interface RendererOptions {
  stream: NodeJS.WritableStream;
  errorStream: NodeJS.WritableStream;
  verbose: boolean;
  style: Style;
  redact: (s: string) => string;
  clock: () => Date;
}
