import { ShipyamlError } from '../errors/shipyaml-error.js';
import type { HostSpec } from '../config/stage-config.js';
import type { Redactor } from '../shell/redact.js';
import type { Transport } from '../transport/transport.js';
import type { Leftovers } from './leftovers.js';
import { now, type EventSink, type Phase } from './events.js';
import { mapSettled, rejections } from './parallel.js';

/** What every command's run shares: the open transports, the event sink and the interrupt. */
export interface Session {
  transports: Transport[];
  emit: EventSink;
  redact: Redactor;
  parallel: number;
  signal: AbortSignal;
  /** How long to wait for a lock another run holds (--wait-lock); 0 fails at once. */
  waitLockMs?: number;
  /** What an abrupt exit would leave behind, for the second Ctrl-C's message. */
  leftovers?: Leftovers;
}

export type TransportFactory = (host: HostSpec) => Transport;

/** Times a phase and reports it; rethrows whatever the body throws. */
export async function phase<T>(s: Pick<Session, 'emit'>, name: Phase, body: () => Promise<T>, timings?: { phase: Phase; ms: number }[]): Promise<T> {
  const started = Date.now();
  s.emit({ type: 'phase', time: now(), phase: name, status: 'start' });
  try {
    const out = await body();
    const ms = Date.now() - started;
    timings?.push({ phase: name, ms });
    s.emit({ type: 'phase', time: now(), phase: name, status: 'ok', ms });
    return out;
  } catch (e) {
    const ms = Date.now() - started;
    timings?.push({ phase: name, ms });
    s.emit({ type: 'phase', time: now(), phase: name, status: 'failed', ms });
    throw e;
  }
}

/** Connects every host (bounded parallelism); on any failure closes them all and throws the first. */
export async function connectAll(hosts: HostSpec[], make: TransportFactory, s: Pick<Session, 'emit' | 'parallel'>): Promise<Transport[]> {
  const transports = hosts.map(make);
  const results = await mapSettled(transports, s.parallel, async (t) => {
    const started = Date.now();
    s.emit({ type: 'step', time: now(), host: t.host.name, phase: 'connect', step: 'connect', status: 'start' });
    try {
      await t.connect();
    } catch (e) {
      s.emit({ type: 'step', time: now(), host: t.host.name, phase: 'connect', step: 'connect', status: 'failed' });
      throw e;
    }
    s.emit({ type: 'step', time: now(), host: t.host.name, phase: 'connect', step: 'connect', status: 'ok', ms: Date.now() - started });
  });
  const errors = rejections(results);
  if (errors.length) {
    await closeAll(transports);
    if (errors.length === 1) throw errors[0];
    const first = errors[0];
    if (first instanceof ShipyamlError) {
      throw new ShipyamlError(first.code, `${errors.length} hosts could not be reached`, {
        details: errors.map((e) => (e instanceof Error ? e.message : String(e))),
        hint: first.hint,
      });
    }
    throw first;
  }
  return transports;
}

export async function closeAll(transports: Transport[]): Promise<void> {
  await Promise.allSettled(transports.map((t) => t.close()));
}
