import { identity } from './identity.js';
import type { StageConfig } from '../config/stage-config.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { hookSteps } from '../plan/build-plan.js';
import { layout } from '../plan/layout.js';
import type { Step } from '../plan/plan.js';
import { isReleaseId } from '../plan/release-id.js';
import { releaseStatuses, rollbackTarget, type LogEntry, type ServerState } from '../plan/server-state.js';
import { appendLog, releaseLock, retakeLock, switchCurrent } from '../plan/steps.js';
import type { Transport } from '../transport/transport.js';
import type { EventSink, Phase } from './events.js';
import { lockAll, unlockAll, type HeldLocks } from './locks.js';
import { mapSettled } from './parallel.js';
import { phase, type Session } from './session.js';
import { StepError } from './step-error.js';
import { runSteps } from './step-runner.js';

/** A usage error, checked before anything connects. */
export function checkRollbackTo(to: string | undefined): void {
  if (to !== undefined && !isReleaseId(to)) {
    throw new ShipyamlError('E_USAGE', `--to ${JSON.stringify(to)} is not a release id (YYYYMMDD-HHMMSS)`);
  }
}

/** One host's part of a rollback, and how far its last script got. */
interface HostRun {
  t: Transport;
  /** The release live before; absent when `current` pointed at no release (nothing to go back to). */
  from?: string;
  /** Steps of the last script that reported ok: they run in order, so this is how far it got. */
  done: number;
  steps: number;
  error?: unknown;
  /** Switched back to `from` after another host failed. */
  back?: boolean;
}

// The rollback script is: switch, log, after_rollback hooks, unlock. A host is committed once
// switched and logged (2 steps ok): only another host's failure to get that far undoes it.
const COMMITTED = 2;

/**
 * Switches every selected host to the previous good release (or `to`). Every host is checked
 * before any is switched: a release missing or bad on one host means no host moves. Two round
 * trips per host: lock and read state; then switch, log, hooks and unlock in one script.
 */
export async function rollback(s: Session, stage: StageConfig, to?: string): Promise<{ releaseId: string }> {
  checkRollbackTo(to);
  const locks = await phase(s, 'lock', () => lockAll(s, 'rollback'));
  try {
    const { releaseId, from } = chooseTarget(s.transports, locks.states, to);
    if (s.signal.aborted) throw new ShipyamlError('E_INTERRUPTED', 'interrupted before the switch: nothing was switched');
    const runs: HostRun[] = s.transports.map((t) => ({ t, from: from.get(t.host.name), done: 0, steps: 0 }));
    try {
      // Not interruptible, and all or nothing: a host that fails to switch sends the others back.
      await phase(s, 'switch', () => switchAll(s, stage, locks, runs, releaseId));
    } catch (e) {
      const uncommitted = runs.filter((r) => r.error !== undefined && r.done < COMMITTED);
      if (!uncommitted.length) throw e; // an after_rollback hook failed: hosts stay switched, as before
      const cause = firstError(uncommitted); // before the undo, which records its own errors
      await phase(s, 'rollback', () => undoAll(s, stage, locks, runs, releaseId)).catch(() => {});
      throw withState(cause, runs, releaseId);
    }
    if (s.signal.aborted) {
      throw new ShipyamlError('E_INTERRUPTED', `interrupted too late to stop: rolled back to ${releaseId} on every host (the switch is not interruptible)`);
    }
    return { releaseId };
  } finally {
    // Only hosts whose script did not get to its unlock: the others released theirs already.
    await unlockAll(s, locks.taken, locks.token);
  }
}

/** The one release every host goes to, or E_NO_RELEASE listing every host that cannot. */
function chooseTarget(transports: Transport[], states: Map<string, ServerState>, to: string | undefined): { releaseId: string; from: Map<string, string | undefined> } {
  const targets = new Map<string, { target: string; from?: string }>();
  const problems: string[] = [];
  for (const t of transports) {
    const st = states.get(t.host.name)!;
    const status = releaseStatuses(st);
    const target = to ?? rollbackTarget(st);
    if (!target) problems.push(`${t.host.name}: no earlier successful release to go back to`);
    else if (status.get(target) !== 'ok') {
      const why = status.has(target) ? `is ${status.get(target)?.replace('_', ' ')}, not a successful release` : 'does not exist';
      problems.push(`${t.host.name}: release ${target} ${why}`);
    } else if (target === st.current) problems.push(`${t.host.name}: ${target} is already live`);
    else targets.set(t.host.name, { target, from: st.current });
  }
  const distinct = new Set([...targets.values()].map((x) => x.target));
  if (!problems.length && distinct.size > 1) {
    problems.push(...[...targets].map(([h, x]) => `${h}: would go to ${x.target}`));
    problems.unshift('the hosts disagree about the previous release; name one with --to ID');
  }
  if (problems.length) {
    throw new ShipyamlError('E_NO_RELEASE', 'rollback refused: nothing was switched', { details: problems });
  }
  return { releaseId: [...distinct][0]!, from: new Map([...targets].map(([h, x]) => [h, x.from])) };
}

/**
 * Every host's switch, log, hooks and unlock in one script. Throws the first failure that matters
 * once all hosts are done; a script that failed only at its unlock does not (the finally retries
 * it, and a lock left unreleased never failed a rollback).
 */
async function switchAll(s: Session, stage: StageConfig, locks: HeldLocks, runs: HostRun[], releaseId: string): Promise<void> {
  await mapSettled(runs, s.parallel, async (r) => {
    const l = layout(r.t.host.deployTo);
    const entry: LogEntry = { action: 'rollback', id: releaseId, from: r.from, status: 'ok', ...identity(), time: new Date().toISOString() };
    // The log entry right after the switch: a host whose hook fails is still truthfully logged.
    await runTracked(s, r, 'switch', [
      { name: 'switch', kind: 'command', cmd: switchCurrent(l, releaseId) },
      { name: 'log', kind: 'command', cmd: appendLog(l, entry) },
      ...hookSteps(stage, r.t.host, l, 'after_rollback', releaseId, r.from),
      { name: 'unlock', kind: 'command', cmd: releaseLock(l, locks.token) },
    ]);
    if (r.done === r.steps) unlocked(s, locks, r.t);
  });
  const failed = runs.filter((r) => r.error !== undefined && r.done < r.steps - 1);
  if (failed.length) throw firstError(failed);
}

/**
 * Sends every host back to where it was, each with a `failed` entry that cancels its `ok` one.
 * A host that already released its lock takes it back first; if another run took it meanwhile,
 * that host is left alone (and said so). Hooks run again, for the old release, only where they
 * may have run for the new one.
 */
async function undoAll(s: Session, stage: StageConfig, locks: HeldLocks, runs: HostRun[], releaseId: string): Promise<void> {
  await mapSettled(runs, s.parallel, async (r) => {
    if (!r.from) return;
    const l = layout(r.t.host.deployTo);
    const hooksRan = r.done > COMMITTED;
    const entry: LogEntry = { action: 'rollback', id: releaseId, from: r.from, status: 'failed', ...identity(), time: new Date().toISOString() };
    if (!locks.taken.includes(r.t)) {
      locks.taken.push(r.t);
      s.leftovers?.lock(r.t.host.name, l.lock);
    }
    const steps: Step[] = [
      { name: 'relock', kind: 'command', cmd: retakeLock(l, locks.lockJson, locks.token) },
      { name: 'switch_back', kind: 'command', cmd: switchCurrent(l, r.from) },
      { name: 'log', kind: 'command', cmd: appendLog(l, entry) },
      ...(hooksRan ? hookSteps(stage, r.t.host, l, 'after_rollback', r.from, releaseId) : []),
      { name: 'unlock', kind: 'command', cmd: releaseLock(l, locks.token) },
    ];
    await runTracked(s, r, 'rollback', steps);
    r.back = r.done >= 2;
    if (r.done === r.steps) unlocked(s, locks, r.t);
  });
  // Only so the phase shows as failed: the caller reports the cause, with where each host is.
  const stuck = runs.filter((r) => r.from && !r.back);
  if (stuck.length) throw firstError(stuck);
}

/** Runs one host's script, not interruptible, counting the steps that reported ok. Never throws. */
async function runTracked(s: Session, r: HostRun, ph: Phase, steps: Step[]): Promise<void> {
  r.done = 0;
  r.steps = steps.length;
  r.error = undefined;
  const emit: EventSink = (e) => {
    if (e.type === 'step' && e.status === 'ok') r.done++;
    s.emit(e);
  };
  try {
    await runSteps(r.t, ph, steps, { emit, redact: s.redact, signal: undefined });
  } catch (e) {
    r.error = e;
  }
}

function unlocked(s: Session, locks: HeldLocks, t: Transport): void {
  const i = locks.taken.indexOf(t);
  if (i >= 0) locks.taken.splice(i, 1);
  s.leftovers?.unlock(t.host.name);
}

function firstError(runs: HostRun[]): unknown {
  return runs.find((r) => r.error instanceof StepError)?.error ?? runs[0]!.error;
}

/** Adds where every host was left to the failure that made them go back. */
function withState(e: unknown, runs: HostRun[], releaseId: string): unknown {
  if (!(e instanceof StepError) || e.failure.state) return e;
  const stuck = runs.filter((r) => !r.back);
  const froms = new Set(runs.map((r) => r.from));
  if (!stuck.length) {
    e.failure.state = froms.size === 1 ? `switched back: every host is on ${[...froms][0]}` : `switched back: ${runs.map((r) => `${r.t.host.name} on ${r.from}`).join(', ')}`;
  } else {
    const why = (r: HostRun) => (r.from ? 'could not be switched back' : 'had no release live before, so none to go back to');
    const back = runs.filter((r) => r.back).map((r) => `${r.t.host.name} on ${r.from}`);
    e.failure.state = [
      back.length ? `switched back: ${back.join(', ')}` : '',
      `${stuck.map((r) => `${r.t.host.name} ${why(r)}`).join('; ')} (it may be on ${releaseId}: check with \`shipyaml releases\`)`,
    ].filter(Boolean).join('; ');
  }
  return e;
}
