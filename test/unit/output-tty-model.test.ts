import { describe, expect, test } from 'vitest';
import { hostOutput, hostTitle, phaseOutput, phaseTitle, ProgressModel } from '../../src/output/index.js';
import type { RunEvent } from '../../src/run/events.js';
import { Timeline } from './fixtures/output-events.js';

// The terminal's state and wording, without a terminal: titles are pure functions of the model.

const T0 = Date.parse('2026-04-15T10:15:00.000Z');
const hosts = (n: number) => Array.from({ length: n }, (_, i) => `web${i + 1}`);

function model(events: RunEvent[]): ProgressModel {
  const m = new ProgressModel(() => new Date(T0));
  for (const e of events) m.apply(e);
  return m;
}

function started(n = 3): Timeline {
  return new Timeline().push({ type: 'start', command: 'deploy', stage: 'production', app: 'example', hosts: hosts(n) });
}

describe('host lines', () => {
  test('waiting, then the running step with its live duration, then how it ended', () => {
    const t = started().phase('prepare', 'start');
    const m = model(t.events);
    const web1 = () => m.phases[0]!.hosts.get('web1')!;
    expect(hostTitle(web1(), T0)).toBe('web1  waiting');
    m.apply({ type: 'step', time: t.time(), host: 'web1', phase: 'prepare', step: 'migrate', status: 'start' });
    expect(hostTitle(web1(), T0 + 1234)).toBe('web1  migrate 1.2s');
    m.apply({ type: 'step', time: t.time(), host: 'web1', phase: 'prepare', step: 'migrate', status: 'failed', ms: 40 });
    expect(hostTitle(web1(), T0 + 5000)).toBe('web1  migrate failed 40ms');
    expect(web1().outcome).toBe('failed'); // at once, not when the phase ends
  });

  test('the last output line of the running step shows under the host', () => {
    const t = started().phase('prepare', 'start').push({ type: 'step', host: 'web1', phase: 'prepare', step: 'migrate', status: 'start' });
    t.push({ type: 'output', host: 'web1', step: 'migrate', stream: 'stdout', line: '\x1b[32mMigrating\x1b[0m: orders\n\n' });
    const m = model(t.events);
    expect(hostOutput(m.phases[0]!.hosts.get('web1')!, T0)).toBe('Migrating: orders');
  });

  test('a transfer shows bytes and rate once it has taken more than a second', () => {
    const t = started().phase('prepare', 'start').push({ type: 'step', host: 'web1', phase: 'prepare', step: 'upload', status: 'start' });
    t.push({ type: 'transfer', host: 'web1', bytes: 0, total: 30_000_000, files: 0 });
    t.wait(800).push({ type: 'transfer', host: 'web1', bytes: 8_000_000, total: 30_000_000, files: 500 });
    const m = model(t.events);
    const web1 = m.phases[0]!.hosts.get('web1')!;
    expect(hostOutput(web1, T0 + 800)).toBe('');
    m.apply({ type: 'transfer', time: new Date(T0 + 1200).toISOString(), host: 'web1', bytes: 12_000_000, total: 30_000_000, files: 900 });
    expect(hostOutput(web1, T0 + 1200)).toBe('transfer 12.0 MB / 30.0 MB (40%) · 10.0 MB/s');
    m.apply({ type: 'transfer', time: new Date(T0 + 3000).toISOString(), host: 'web1', bytes: 30_000_000, total: 30_000_000, files: 2000 });
    expect(hostOutput(web1, T0 + 3000)).toBe('');
  });

  test('a host with nothing to do in a phase is hidden when the phase ends', () => {
    const t = started().phase('prepare', 'start');
    t.step('web1', 'prepare', 'migrate', 900);
    t.phase('prepare', 'ok', 1000);
    const m = model(t.events);
    expect(hostTitle(m.phases[0]!.hosts.get('web1')!, T0)).toBe('web1  migrate 900ms');
    expect(hostTitle(m.phases[0]!.hosts.get('web2')!, T0)).toBe('');
  });
});

describe('phase lines', () => {
  test('the phase with its duration; skipped phases say so', () => {
    const t = started().phase('switch', 'start').eachHost('switch', 'switch', 12).phase('switch', 'ok', 40).phase('healthcheck', 'skipped');
    const m = model(t.events);
    expect(phaseTitle(m.phases[0]!, T0)).toBe('switch  40ms');
    expect(phaseTitle(m.phases[1]!, T0)).toBe('healthcheck skipped');
  });

  test('above 8 hosts a phase collapses into a count line, with what runs now under it', () => {
    const t = started(20).phase('prepare', 'start');
    for (const h of hosts(12)) t.step(h, 'prepare', 'migrate', 10, { status: h === 'web5' ? 'failed' : 'ok' });
    for (const h of hosts(20).slice(12)) t.push({ type: 'step', host: h, phase: 'prepare', step: 'migrate', status: 'start' });
    const m = model(t.events);
    const p = m.phases[0]!;
    expect(phaseTitle(p, Date.parse(t.time()))).toBe('prepare  120ms  12/20 hosts  1 failed');
    expect(phaseOutput(p, Date.parse(t.time()) + 500)).toBe('web13 migrate 500ms · web14 migrate 500ms · web15 migrate 500ms · +5 more');
  });

  test('a warning shows under the running phase at once', () => {
    const t = started(3).phase('prepare', 'start').push({ type: 'warning', message: 'SIGINT received: stopping safely' });
    const m = model(t.events);
    expect(phaseOutput(m.phases[0]!, T0)).toBe('warning: SIGINT received: stopping safely');
  });

  test('3 hosts are not collapsed', () => {
    const m = model(started(3).phase('prepare', 'start').events);
    expect(phaseTitle(m.phases[0]!, T0)).toBe('prepare  0ms');
  });
});

describe('following the event stream', () => {
  test('phases wait for their start; after the run there are no more', async () => {
    const m = model(started().events);
    const first = m.phaseAt(0);
    const second = m.phaseAt(1);
    m.apply({ type: 'warning', time: new Date(T0).toISOString(), message: 'unrelated events do not lose a waiting phase' });
    m.apply({ type: 'phase', time: new Date(T0).toISOString(), phase: 'connect', status: 'start' });
    expect((await first)?.phase).toBe('connect');
    m.finish();
    expect(await second).toBeUndefined();
  });

  test('steps without phase events open a phase, closed when the next one opens', () => {
    const t = started();
    t.step('web1', 'connect', 'connect', 100);
    t.step('web1', 'lock', 'lock', 10);
    const m = model(t.events);
    expect(m.phases.map((p) => [p.phase, p.outcome])).toEqual([
      ['connect', 'ok'],
      ['lock', undefined],
    ]);
  });

  test('a run that ends without `done` leaves its running phase failed', async () => {
    const m = model(started().phase('prepare', 'start').events);
    m.finish();
    expect(await m.phases[0]!.settled.promise).toBe('failed');
  });
});
