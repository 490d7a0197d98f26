// The one stream every renderer is fed from (listr2, plain CI lines, --json). run/ emits these
// and never prints. schema/events.schema.json describes them for --json consumers; a test keeps
// the two in step. All text in events is already redacted.

export type Phase = 'connect' | 'lock' | 'prepare' | 'switch' | 'after_switch' | 'healthcheck' | 'rollback' | 'finish';

export type HostState =
  | { kind: 'unchanged'; release?: string } // still on release X (or none yet)
  | { kind: 'switched'; release: string }
  | { kind: 'switched-back'; release?: string };

export interface FailureInfo {
  code: string;
  message: string;
  host?: string;
  phase?: Phase;
  step?: string;
  /** Redacted command as it ran. */
  command?: string;
  exitCode?: number;
  exitMeaning?: string;
  stderrTail?: string[];
  /** What the host was left in, in words: "still on 20260101-000000; new release removed". */
  state?: string;
  hint?: string;
}

export type RunEvent =
  | { type: 'start'; time: string; command: string; stage: string; app: string; releaseId?: string; hosts: string[] }
  | { type: 'phase'; time: string; phase: Phase; status: 'start' | 'ok' | 'failed' | 'skipped'; ms?: number }
  | {
      type: 'step';
      time: string;
      host: string;
      phase: Phase;
      step: string;
      status: 'start' | 'ok' | 'failed' | 'skipped';
      ms?: number;
      command?: string;
    }
  | { type: 'output'; time: string; host: string; step: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'transfer'; time: string; host: string; bytes: number; total: number; files: number; mode?: 'full' | 'delta' }
  | { type: 'warning'; time: string; host?: string; message: string }
  | { type: 'failure'; time: string; failure: FailureInfo }
  | {
      type: 'done';
      time: string;
      command: string;
      ok: boolean;
      exitCode: number;
      releaseId?: string;
      message: string;
      ms: number;
      phases: { phase: Phase; ms: number }[];
      hosts: { host: string; state: string }[];
    }
  // An error outside a run (bad config, usage, a bug): what --json prints instead of an error block.
  | {
      type: 'error';
      time: string;
      code: string;
      message: string;
      exitCode: number;
      details?: string[];
      hint?: string;
      location?: { file: string; line: number; col: number };
      host?: string;
      /** Only with --verbose. */
      stack?: string;
    }
  // What a reporting command found (releases, plan, exec, doctor): --json's machine-readable answer.
  | { type: 'result'; time: string; command: string; data: unknown };

export type RunEventType = RunEvent['type'];

/** Every event type at run time, for the schema test; the check below keeps it complete. */
export const RUN_EVENT_TYPES = [
  'start',
  'phase',
  'step',
  'output',
  'transfer',
  'warning',
  'failure',
  'done',
  'error',
  'result',
] as const satisfies readonly RunEventType[];

// Does not compile when a type is added to RunEvent but not to RUN_EVENT_TYPES.
const everyEventTypeListed: [Exclude<RunEventType, (typeof RUN_EVENT_TYPES)[number]>] extends [never] ? true : never = true;
void everyEventTypeListed;

export type EventSink = (event: RunEvent) => void;

export const now = (): string => new Date().toISOString();

/** What a process exit code usually means, for failure blocks. */
export function exitMeaning(code: number): string | undefined {
  if (code === 127) return 'command not found';
  if (code === 126) return 'command found but not executable';
  if (code === 130) return 'interrupted (SIGINT)';
  if (code === 137) return 'killed (SIGKILL, often out of memory)';
  if (code === 143) return 'terminated (SIGTERM)';
  if (code > 128 && code < 160) return `killed by signal ${code - 128}`;
  if (code === 1) return 'general error';
  if (code === 2) return 'misuse of a shell builtin or bad arguments';
  return undefined;
}
