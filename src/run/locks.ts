import { identity } from './identity.js';
import { randomBytes } from 'node:crypto';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { layout } from '../plan/layout.js';
import { describeLock, parseLockResult, parseServerState, type LockInfo, type ServerState } from '../plan/server-state.js';
import { lockAndReadState, releaseLock } from '../plan/steps.js';
import type { Transport } from '../transport/transport.js';
import { mapSettled, rejections } from './parallel.js';
import type { Session } from './session.js';
import { runStep } from './step-runner.js';

export interface HeldLocks {
  token: string;
  /** What the lock files hold: an undo that must take a lock back writes the same. */
  lockJson: string;
  states: Map<string, ServerState>;
  /** Hosts whose lock we hold now. */
  taken: Transport[];
}

export function lockInfo(command: string, release?: string): LockInfo & { token: string } {
  const token = randomBytes(12).toString('hex');
  const info = { ...identity(), pid: process.pid, since: new Date().toISOString(), command, release, token };
  return { ...info, raw: JSON.stringify(info) };
}

/**
 * Takes the lock on every host and reads each host's state in the same round trip. If any lock
 * is held by someone else, the ones taken are released and nothing else has changed.
 */
async function lockOnce(s: Session, command: string, opts: LockOptions): Promise<HeldLocks> {
  const info = lockInfo(command);
  const json = JSON.stringify({ ...info, raw: undefined });
  const states = new Map<string, ServerState>();
  const taken: Transport[] = [];
  const held: string[] = [];
  const results = await mapSettled(s.transports, s.parallel, async (t) => {
    const l = layout(t.host.deployTo);
    // Not interruptible: a round cut short can create the lock and never report it, leaving it behind.
    const r = await runStep(t, 'lock', { name: 'lock', kind: 'command', data: true, cmd: lockAndReadState(l, json, { cacheListing: opts.cacheListing === true }) }, { ...s, signal: undefined });
    const state = parseServerState(r);
    if (parseLockResult(r) === 'taken') {
      taken.push(t);
      s.leftovers?.lock(t.host.name, l.lock);
      states.set(t.host.name, { ...state, lock: undefined });
    } else {
      held.push(`${t.host.name}: ${state.lock ? describeLock(state.lock) + liveness(state.lock) : 'held (unreadable lock file)'} — ${l.lock}`);
    }
  });
  const errors = rejections(results);
  if (s.signal.aborted) {
    await unlockAll(s, taken, info.token);
    throw interruptedBeforeLock();
  }
  if (held.length || errors.length) {
    await unlockAll(s, taken, info.token);
    if (errors.length) throw errors[0];
    throw new ShipyamlError('E_LOCKED', held.length === 1 ? `locked: ${held[0]}` : `${held.length} hosts are locked by another deploy`, {
      details: held.length > 1 ? held : [],
      hint: 'Wait for that deploy (or use --wait-lock 5m); if it was killed, run `shipyaml unlock STAGE`.',
    });
  }
  return { token: info.token, lockJson: json, states, taken };
}

/** Not interruptible: an unlock cut short is exactly the lock left behind that we promise not to leave. */
export async function unlockAll(s: Session, transports: Transport[], token: string): Promise<void> {
  await mapSettled(transports, s.parallel, async (t) => {
    await runStep(t, 'finish', { name: 'unlock', kind: 'command', cmd: releaseLock(layout(t.host.deployTo), token) }, { ...s, signal: undefined });
    s.leftovers?.unlock(t.host.name);
  });
}

/** Whether the process holding a lock still runs, when it ran on this machine (else unknowable). */
function liveness(lock: LockInfo): string {
  if (!lock.pid || lock.machine !== identity().machine) return '';
  try {
    process.kill(lock.pid, 0);
    return `; process ${lock.pid} is still running on this machine`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') return `; process ${lock.pid} is still running on this machine`;
    return `; process ${lock.pid} is no longer running: the lock was left by a killed run, clear it with \`shipyaml unlock\``;
  }
}

export interface LockOptions {
  /**
   * Read each host's cache listing in the same round trip: a delta upload needs it. A full one
   * (--full) and a git deploy do not, and 20 listings of a 2,000-file build are ~12 MB of the
   * client's memory.
   */
  cacheListing?: boolean;
}

/** Takes every lock, retried while one is held until `--wait-lock` has passed (0: no waiting). */
export async function lockAll(s: Session, command: string, opts: LockOptions = {}): Promise<HeldLocks> {
  const deadline = Date.now() + (s.waitLockMs ?? 0);
  for (let attempt = 0; attempt < 100_000; attempt++) {
    if (s.signal.aborted) throw interruptedBeforeLock();
    try {
      return await lockOnce(s, command, opts);
    } catch (e) {
      if (e instanceof ShipyamlError && e.code === 'E_LOCKED' && s.signal.aborted) throw interruptedBeforeLock();
      if (!(e instanceof ShipyamlError) || e.code !== 'E_LOCKED' || Date.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(100, deadline - Date.now()))));
    }
  }
  throw new ShipyamlError('E_LOCKED', 'gave up waiting for the lock');
}

function interruptedBeforeLock(): ShipyamlError {
  return new ShipyamlError('E_INTERRUPTED', 'interrupted before the lock: no lock kept, nothing changed on any host');
}
