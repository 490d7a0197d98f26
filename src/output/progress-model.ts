import type { FailureInfo, Phase, RunEvent } from '../run/events.js';
import { deferred, type Deferred } from './deferred.js';
import { cleanLine, splitLines } from './text.js';
import { eventTime, nextTransfer, type TransferState } from './transfer.js';

// What the terminal shows, as plain state built from the event stream. listr2 tasks only wait on
// the deferreds here and read titles from it, so the runner never runs inside listr2 and this
// part is testable without a terminal.

export type Outcome = 'ok' | 'failed' | 'skipped';

export interface HostProgress {
  host: string;
  outcome?: Outcome;
  /** The step running now, or the last one to finish. */
  step?: string;
  stepStatus?: 'start' | 'ok' | 'failed' | 'skipped';
  stepStartedAt?: number;
  stepMs?: number;
  steps: number;
  running: number;
  failed: boolean;
  firstAt?: number;
  lastAt?: number;
  transfer?: TransferState;
  lastLine?: string;
  settled: Deferred<Outcome>;
}

export interface PhaseProgress {
  phase: Phase;
  outcome?: Outcome;
  startedAt: number;
  ms?: number;
  /** The last warning while it ran ("SIGINT received: stopping safely"), shown under it. */
  warning?: string;
  /** Opened by a step without a 'phase' start event; closed when the next phase opens. */
  implicit: boolean;
  hosts: Map<string, HostProgress>;
  settled: Deferred<Outcome>;
}

type DoneEvent = Extract<RunEvent, { type: 'done' }>;
type StartEvent = Extract<RunEvent, { type: 'start' }>;

export class ProgressModel {
  start?: StartEvent;
  done?: DoneEvent;
  readonly phases: PhaseProgress[] = [];
  readonly failures: FailureInfo[] = [];
  readonly warnings: { host?: string; message: string }[] = [];
  readonly errors: Extract<RunEvent, { type: 'error' }>[] = [];
  finished = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly clock: () => Date) {}

  get hosts(): readonly string[] {
    return this.start?.hosts ?? [];
  }

  apply(e: RunEvent): void {
    if (this.finished && e.type !== 'error') return;
    const at = eventTime(e, this.clock);
    switch (e.type) {
      case 'start':
        this.start = e;
        break;
      case 'phase':
        if (e.status === 'start') this.open(e.phase, at, false);
        else this.settle(this.current(e.phase) ?? this.open(e.phase, at, false), e.status, e.ms, at);
        break;
      case 'step':
        this.onStep(e, at);
        break;
      case 'output': {
        const h = this.activeHost(e.host, e.step);
        const last = splitLines(e.line).map((l) => cleanLine(l)).filter((l) => l.trim() !== '').pop();
        if (h && last !== undefined) h.lastLine = last;
        break;
      }
      case 'transfer': {
        const h = this.activeHost(e.host);
        if (h) h.transfer = nextTransfer(h.transfer, e, at);
        break;
      }
      case 'warning':
        this.warnings.push({ host: e.host, message: e.message });
        for (const p of this.phases) if (!p.outcome) p.warning = e.host ? `[${e.host}] ${e.message}` : e.message;
        break;
      case 'failure':
        this.failures.push(e.failure);
        break;
      case 'done':
        this.done = e;
        this.finish();
        break;
      case 'error':
        this.errors.push(e);
        break;
      case 'result':
        break;
    }
    this.wake();
  }

  /** Resolves with the i-th phase once it has started, or undefined when the run is over. */
  phaseAt(i: number): Promise<PhaseProgress | undefined> {
    return new Promise((resolve) => {
      // Woken after every event; waits again until that phase exists or the run is over.
      const check = (): void => {
        const p = this.phases[i];
        if (p || this.finished) resolve(p);
        else this.waiters.push(check);
      };
      check();
    });
  }

  /** Settles everything still open: after 'done', or at close() when the run ended without one. */
  finish(): void {
    if (this.finished) return;
    for (const p of this.phases) {
      if (p.outcome) continue;
      // Still running when the run ended without 'done' (a crash, Ctrl-C): that phase did not finish.
      const failed = this.done === undefined || [...p.hosts.values()].some((h) => h.failed);
      this.settle(p, failed ? 'failed' : 'ok', undefined, this.clock().getTime());
    }
    this.finished = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The newest phase of that name still running. */
  private current(phase: Phase): PhaseProgress | undefined {
    for (let i = this.phases.length - 1; i >= 0; i--) {
      const p = this.phases[i]!;
      if (p.phase === phase && !p.outcome) return p;
    }
    return undefined;
  }

  private open(phase: Phase, at: number, implicit: boolean): PhaseProgress {
    const running = this.current(phase);
    if (running) {
      running.implicit = running.implicit && implicit;
      return running;
    }
    // A phase that was only implied by its steps ends when the next one begins.
    for (const p of this.phases) if (p.implicit && !p.outcome) this.settle(p, undefined, undefined, at);
    const p: PhaseProgress = { phase, startedAt: at, implicit, hosts: new Map(), settled: deferred() };
    for (const host of this.hosts) p.hosts.set(host, newHost(host));
    this.phases.push(p);
    return p;
  }

  private settle(p: PhaseProgress, status: Outcome | undefined, ms: number | undefined, at: number): void {
    if (p.outcome) return;
    const hosts = [...p.hosts.values()];
    const outcome: Outcome = status ?? (hosts.some((h) => h.failed) ? 'failed' : 'ok');
    // Hosts first, so each host's line is final before the phase line turns ✔ or ✖.
    // A step still running when its phase ends (the run crashed or was interrupted) did not succeed.
    for (const h of hosts) settleHost(h, h.failed || h.running > 0 ? 'failed' : h.steps > 0 ? 'ok' : 'skipped');
    p.outcome = outcome;
    p.ms = ms ?? at - p.startedAt;
    p.settled.resolve(outcome);
  }

  private onStep(e: Extract<RunEvent, { type: 'step' }>, at: number): void {
    let p = this.current(e.phase);
    if (!p) p = this.open(e.phase, at, true);
    let h = p.hosts.get(e.host);
    if (!h) p.hosts.set(e.host, (h = newHost(e.host)));
    if (h.outcome) return;
    h.firstAt ??= at;
    h.lastAt = at;
    h.step = e.step;
    h.stepStatus = e.status;
    if (e.status === 'start') {
      h.steps++;
      h.running++;
      h.stepStartedAt = at;
      h.stepMs = undefined;
      h.lastLine = undefined;
      return;
    }
    if (h.running > 0) h.running--;
    h.stepMs = e.ms ?? (h.stepStartedAt === undefined ? undefined : at - h.stepStartedAt);
    if (e.status === 'failed') {
      // A failed host will not turn ok again in this phase: show it now, not when the phase ends.
      h.failed = true;
      settleHost(h, 'failed');
    }
  }

  /** The host's entry in the newest running phase it has a step in (output events carry no phase). */
  private activeHost(host: string, step?: string): HostProgress | undefined {
    for (let i = this.phases.length - 1; i >= 0; i--) {
      const p = this.phases[i]!;
      const h = p.hosts.get(host);
      if (!p.outcome && h && (step === undefined || (h.steps > 0 && h.step === step))) return h;
    }
    return undefined;
  }
}

function newHost(host: string): HostProgress {
  return { host, steps: 0, running: 0, failed: false, settled: deferred() };
}

function settleHost(h: HostProgress, outcome: Outcome): void {
  if (h.outcome) return;
  h.outcome = outcome;
  h.settled.resolve(outcome);
}
