import { describe, expect, test } from 'vitest';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { createReporter, type ReporterOptions } from '../../src/output/index.js';
import type { RunEvent } from '../../src/run/events.js';
import { capture, clockFollowing, feed } from './fixtures/output-capture.js';
import { failedDeploy, MIGRATE_FAILURE, rollbackCommand, rolledBackDeploy, successfulDeploy, Timeline } from './fixtures/output-events.js';

// The CI renderer: what a person reads in a CI log. Timestamps follow the events' fixed times.

const ANSI = /\x1b\[/;

async function render(events: RunEvent[], options: Partial<ReporterOptions> = {}) {
  const out = capture();
  const clock = clockFollowing();
  await feed(createReporter({ mode: 'plain', stream: out.stream, clock: clock.clock, env: {}, ...options }), events, clock);
  return out;
}

describe('plain renderer (CI)', () => {
  test.each([
    ['a successful 3-host deploy', successfulDeploy],
    ['a deploy that fails on one host', failedDeploy],
    ['a deploy rolled back after a failed healthcheck', rolledBackDeploy],
    ['the rollback command', rollbackCommand],
  ])('%s', async (_name, events) => {
    expect((await render(events())).text()).toMatchSnapshot();
  });

  test('--verbose: every command and every output line, with the host', async () => {
    expect((await render(failedDeploy(), { verbose: true })).text()).toMatchSnapshot();
  });

  test('lines look like `12:00:01 [web1] switch ok 12ms`', async () => {
    const text = (await render(successfulDeploy())).text();
    expect(text).toContain('10:15:05 [web1] switch ok 12ms\n');
    expect(text).toMatch(/^10:15:00 deploy example to production: web1, web2, web3 \(release 20260415-101500\)$/m);
    expect(text).toContain('10:15:07 ✔ deployed 20260415-101500 to 3 hosts\n');
    expect(text).toContain('  phases    connect 330ms · lock 60ms · prepare 4.2s · switch 40ms · after_switch 400ms · healthcheck 950ms · finish 120ms\n');
  });

  test('every write is one whole line, so parallel hosts never interleave mid-line', async () => {
    const t = new Timeline();
    t.push({ type: 'step', host: 'web1', phase: 'prepare', step: 'migrate', status: 'start', command: 'a &&\nb' });
    t.push({ type: 'output', host: 'web1', step: 'migrate', stream: 'stdout', line: 'one\ntwo\r\nthree\n' });
    t.push({ type: 'output', host: 'web2', step: 'migrate', stream: 'stderr', line: 'progress 10%\rprogress 100%' });
    const out = await render(t.events, { verbose: true });
    for (const w of out.writes.filter((x) => x !== '')) expect(w).toMatch(/^[^\n]*\n$/);
    expect(out.text()).toBe(
      [
        '10:15:00 [web1] migrate started',
        '10:15:00 [web1] $ a &&',
        '10:15:00 [web1] $ b',
        '10:15:00 [web1] out: one',
        '10:15:00 [web1] out: two',
        '10:15:00 [web1] out: three',
        '10:15:00 [web2] err: progress 100%',
        '',
      ].join('\n'),
    );
  });

  test('output lines are not printed without --verbose', async () => {
    const text = (await render(successfulDeploy())).text();
    expect(text).not.toContain('Migrating');
    expect(text).not.toContain('$ ./artisan');
  });

  test('no ANSI codes when not a terminal; remote colours and control characters are removed', async () => {
    const t = new Timeline().push({ type: 'output', host: 'web1', step: 's', stream: 'stdout', line: '\x1b[32mgreen\x1b[0m \x07bell \x1b]0;title\x07done' });
    const out = await render([...failedDeploy(), ...t.events], { verbose: true });
    expect(out.text()).not.toMatch(ANSI);
    expect(out.text()).toContain('[web1] out: green bell done\n');
  });

  test('FORCE_COLOR colours plain lines; NO_COLOR and --no-color win over it', async () => {
    expect((await render(failedDeploy(), { env: { FORCE_COLOR: '1' } })).text()).toMatch(ANSI);
    expect((await render(failedDeploy(), { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).text()).not.toMatch(ANSI);
    expect((await render(failedDeploy(), { env: { FORCE_COLOR: '1' }, color: false })).text()).not.toMatch(ANSI);
  });

  test('slow transfers get a progress line at most once a second; quick ones only their end', async () => {
    const t = new Timeline();
    t.push({ type: 'transfer', host: 'web1', bytes: 0, total: 50_000_000, files: 0 });
    for (let i = 1; i <= 10; i++) t.wait(250).push({ type: 'transfer', host: 'web1', bytes: i * 5_000_000, total: 50_000_000, files: i * 100 });
    t.push({ type: 'transfer', host: 'web2', bytes: 1000, total: 1000, files: 3 });
    expect((await render(t.events)).text()).toBe(
      [
        '10:15:01 [web1] transfer 20.0 MB / 50.0 MB (40%) · 20.0 MB/s',
        '10:15:02 [web1] transfer 40.0 MB / 50.0 MB (80%) · 20.0 MB/s',
        '10:15:02 [web1] transferred 50.0 MB, 1000 files in 2.5s (20.0 MB/s)',
        '10:15:02 [web2] transferred 1.0 kB, 3 files',
        '',
      ].join('\n'),
    );
  });

  test('redacts everything it prints, even text that reached it unredacted', async () => {
    const secret = 'hunter2-secret';
    const t = new Timeline();
    t.push({ type: 'start', command: 'deploy', stage: 'production', app: 'example', hosts: ['web1'] });
    t.push({ type: 'step', host: 'web1', phase: 'prepare', step: 'migrate', status: 'start', command: `DB_PASSWORD=${secret} ./artisan migrate` });
    t.push({ type: 'output', host: 'web1', step: 'migrate', stream: 'stderr', line: `denied for ${secret}` });
    t.push({ type: 'warning', host: 'web1', message: `saw ${secret}` });
    t.push({ type: 'failure', failure: { ...MIGRATE_FAILURE, command: `DB_PASSWORD=${secret} ./artisan migrate`, stderrTail: [`denied for ${secret}`] } });
    const out = await render(t.events, { verbose: true, redact: (s) => s.replaceAll(secret, '••••••') });
    expect(out.text()).not.toContain(secret);
    expect(out.text()).toContain('DB_PASSWORD=•••••• ./artisan migrate');
  });

  test('failure blocks go to the error stream; the summary stays on the output stream', async () => {
    const out = capture();
    const err = capture();
    await feed(createReporter({ mode: 'plain', stream: out.stream, errorStream: err.stream, env: {} }), failedDeploy());
    expect(err.text()).toContain('✖ web2 · prepare · migrate  (E_HOOK_FAILED)');
    expect(out.text()).not.toContain('command:');
    expect(out.text()).toMatch(/✖ deploy failed on web2/);
  });

  test('a run that ends without `done` (crash, Ctrl-C) still prints its failure blocks at close', async () => {
    const events = failedDeploy().filter((e) => e.type !== 'done');
    const text = (await render(events)).text();
    expect(text).toContain('✖ web2 · prepare · migrate  (E_HOOK_FAILED)');
    expect(text).toContain('  exit:     127 (command not found)');
  });

  test('a command that fails before any host is touched: the error block, not a summary repeating it', async () => {
    const out = capture();
    const r = createReporter({ mode: 'plain', stream: out.stream, env: {}, clock: () => new Date('2026-04-15T10:15:00.000Z') });
    r.error(new ShipyamlError('E_STAGE', 'no stage "prod" in deploy.yml (stages: production, local)'));
    r.emit({ type: 'done', time: '2026-04-15T10:15:00.000Z', command: 'deploy', ok: false, exitCode: 2, message: 'no stage "prod"', ms: 3, phases: [], hosts: [] });
    await r.close();
    expect(out.text()).toBe('error E_STAGE: no stage "prod" in deploy.yml (stages: production, local)\nfix: Use one of the stages defined under `stages:`.\n');
  });

  test('a command without a run still says how it ended', async () => {
    const out = capture();
    const r = createReporter({ mode: 'plain', stream: out.stream, env: {}, clock: () => new Date('2026-04-15T10:15:00.000Z') });
    r.emit({ type: 'done', time: '2026-04-15T10:15:00.000Z', command: 'unlock', ok: true, exitCode: 0, message: 'unlocked production (3 hosts)', ms: 250, phases: [], hosts: [] });
    await r.close();
    expect(out.text()).toBe('10:15:00 ✔ unlocked production (3 hosts)\n10:15:00   total     250ms\n');
  });

  test('events after close are ignored, and close twice is harmless', async () => {
    const out = capture();
    const r = createReporter({ mode: 'plain', stream: out.stream, env: {} });
    await r.close();
    await r.close();
    r.emit(successfulDeploy()[0]!);
    expect(out.text()).toBe('');
  });
});
