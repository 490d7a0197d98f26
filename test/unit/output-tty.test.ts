import { describe, expect, test } from 'vitest';
import { createReporter, type ReporterOptions } from '../../src/output/index.js';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import type { RunEvent } from '../../src/run/events.js';
import { capture, clockFollowing, feed } from './fixtures/output-capture.js';
import { failedDeploy, rolledBackDeploy, successfulDeploy, Timeline } from './fixtures/output-events.js';

// The listr2 renderer in-process, on a fake terminal stream. What stays on screen is listr2's
// last frame (written after the last "cursor to column 1") followed by what close() prints.

const CURSOR_SHOW = '\x1b[?25h';

function screen(text: string): { frame: string; after: string; before: string } {
  const end = text.lastIndexOf(CURSOR_SHOW);
  expect(end, 'listr2 finished and showed the cursor again').toBeGreaterThan(-1);
  const start = Math.max(text.lastIndexOf('\x1b[G', end) + 3, text.lastIndexOf('\x1b[?25l', end) + 6);
  return { before: text.slice(0, text.indexOf('\x1b')), frame: text.slice(start, end), after: text.slice(end + CURSOR_SHOW.length) };
}

async function render(events: RunEvent[], options: Partial<ReporterOptions> = {}) {
  const out = capture({ tty: true });
  const clock = clockFollowing();
  await feed(createReporter({ mode: 'tty', stream: out.stream, clock: clock.clock, env: {}, color: false, ...options }), events, clock);
  return out;
}

describe('terminal renderer (listr2, driven by events)', () => {
  test('a successful deploy: one line per phase with its time, then the summary', async () => {
    const { before, frame, after } = screen((await render(successfulDeploy())).text());
    expect(before).toBe('deploy example to production: web1, web2, web3 (release 20260415-101500)\n');
    expect(frame).toBe(
      ['✔ connect  330ms', '✔ lock  60ms', '✔ prepare  4.2s', '✔ switch  40ms', '✔ after_switch  400ms', '✔ healthcheck  950ms', '✔ finish  120ms', ''].join('\n'),
    );
    expect(after).toBe(
      [
        '',
        '✔ deployed 20260415-101500 to 3 hosts',
        '  release   20260415-101500',
        '  hosts     3: web1, web2, web3 · live on 20260415-101500',
        '  phases    connect 330ms · lock 60ms · prepare 4.2s · switch 40ms · after_switch 400ms · healthcheck 950ms · finish 120ms',
        '  total     6.1s',
        '',
      ].join('\n'),
    );
  });

  test('a failure on one host: the phase and the host fail, later phases are skipped, the block comes after', async () => {
    const { frame, after } = screen((await render(failedDeploy())).text());
    expect(frame).toBe(
      [
        '✔ connect  330ms',
        '✔ lock  60ms',
        '✖ prepare  4.2s',
        '  ✔ web1  4 steps 5.5s',
        '  ✖ web2  migrate failed 40ms',
        '  ✔ web3  4 steps 3.3s',
        '↓ switch skipped',
        '↓ after_switch skipped',
        '↓ healthcheck skipped',
        '✔ finish  100ms',
        '',
      ].join('\n'),
    );
    expect(after).toMatch(/^\n✖ web2 · prepare · migrate {2}\(E_HOOK_FAILED\)\n {2}error: {4}task migrate failed\n {2}command: {2}\.\/artisan migrate --force\n {2}exit: {5}127 \(command not found\)\n/);
    expect(after).toMatch(/\n✖ deploy failed on web2: task migrate failed; nothing was switched {2}\(exit 1\)\n[^✖]*total {5}4\.8s\n$/);
  });

  test('an automatic rollback: the healthcheck fails on one host, then the rollback phase', async () => {
    const { frame, after } = screen((await render(rolledBackDeploy())).text());
    expect(frame).toContain('✖ healthcheck  8.6s\n  ✔ web1  healthcheck 300ms\n  ✔ web2  healthcheck 300ms\n  ✖ web3  healthcheck failed 8.0s\n✔ rollback  390ms\n');
    expect(after).toContain('warning: healthcheck failed on web3: switching every host back\n');
    expect(after).toContain('✖ web3 · healthcheck · healthcheck  (E_HEALTHCHECK)');
  });

  test('events that arrive while listr2 is already drawing, with many hosts collapsed into a count', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `web${i + 1}`);
    const t = new Timeline().push({ type: 'start', command: 'deploy', stage: 'production', app: 'example', hosts: names });
    t.phase('connect', 'start');
    for (const h of names) t.step(h, 'connect', 'connect', 100);
    t.phase('connect', 'ok', 300).phase('prepare', 'start');
    for (const h of names) t.step(h, 'prepare', 'migrate', 100, { status: h === 'web7' ? 'failed' : 'ok' });
    t.phase('prepare', 'failed', 1200);
    t.push({ type: 'done', command: 'deploy', ok: false, exitCode: 1, message: 'deploy failed on web7', ms: 1600, phases: [], hosts: names.map((host) => ({ host, state: 'still on 20260415-093301' })) });
    const out = capture({ tty: true });
    const clock = clockFollowing();
    const reporter = createReporter({ mode: 'tty', stream: out.stream, clock: clock.clock, env: {}, color: false });
    for (const e of t.events) {
      clock.set(e.time);
      reporter.emit(e);
      await new Promise((r) => setImmediate(r));
    }
    const started = Date.now();
    await reporter.close();
    expect(Date.now() - started).toBeLessThan(1000);
    const { frame } = screen(out.text());
    expect(frame).toBe(['✔ connect  300ms  12 hosts', '✖ prepare  1.2s  12 hosts  1 failed', ''].join('\n'));
  });

  test('close() without `done` (the runner crashed) ends listr2 quickly and marks the running phase failed', async () => {
    const t = new Timeline().push({ type: 'start', command: 'deploy', stage: 'production', app: 'example', hosts: ['web1'] });
    t.phase('prepare', 'start').push({ type: 'step', host: 'web1', phase: 'prepare', step: 'migrate', status: 'start' });
    const out = capture({ tty: true });
    const reporter = createReporter({ mode: 'tty', stream: out.stream, env: {}, color: false, clock: () => new Date(t.ms + 2500) });
    for (const e of t.events) reporter.emit(e);
    reporter.error(new ShipyamlError('E_INTERRUPTED', 'interrupted'));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await reporter.close();
    expect(Date.now() - started).toBeLessThan(1000);
    const { frame, after } = screen(out.text());
    expect(frame).toBe('✖ prepare  2.5s\n  ✖ web1  migrate interrupted 2.5s\n');
    // The error block waited for listr2's last frame instead of landing in the middle of it.
    expect(after).toContain('error E_INTERRUPTED: interrupted\n');
  });

  test('an error outside a run: its block, no task list, and no summary repeating it', async () => {
    const out = capture({ tty: true });
    const reporter = createReporter({ mode: 'tty', stream: out.stream, env: {}, color: false });
    reporter.emit({ type: 'warning', time: '2026-04-15T10:15:00.000Z', message: 'deploy.yml: key `parallel` is deprecated' });
    reporter.error(new ShipyamlError('E_CONFIG', 'deploy.yml has 1 problem', { details: ['deploy.yml:3:1 x'] }));
    reporter.emit({ type: 'done', time: '2026-04-15T10:15:00.000Z', command: 'deploy', ok: false, exitCode: 2, message: 'deploy.yml has 1 problem', ms: 3, phases: [], hosts: [] });
    await reporter.close();
    expect(out.text()).toBe(
      [
        'warning: deploy.yml: key `parallel` is deprecated',
        'error E_CONFIG: deploy.yml has 1 problem',
        '  deploy.yml:3:1 x',
        'fix: Correct deploy.yml at the line and column shown; `shipyaml validate` lists every problem.',
        '',
      ].join('\n'),
    );
  });

  test('colour codes only when colour is on; cursor movement either way', async () => {
    const plain = (await render(failedDeploy(), { color: false })).text();
    expect(plain).not.toMatch(/\x1b\[[0-9;]*m/);
    expect(plain).toContain('\x1b[2K');
    const coloured = (await render(failedDeploy(), { color: true })).text();
    expect(coloured).toMatch(/\x1b\[[0-9;]*m/);
  });

  test('titles are redacted too', async () => {
    const t = new Timeline().push({ type: 'start', command: 'deploy', stage: 'production', app: 'example', hosts: ['web1'] });
    t.phase('prepare', 'start').step('web1', 'prepare', 'use token-123456', 10, { status: 'failed', out: ['token-123456'] }).phase('prepare', 'failed', 10);
    const text = (await render(t.events, { redact: (s) => s.replaceAll('token-123456', '••••••') })).text();
    expect(text).not.toContain('token-123456');
    expect(text).toContain('web1  use •••••• failed 10ms');
  });
});
