import { describe, expect, test } from 'vitest';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { createReporter, createStyle, formatErrorBlock, formatFailureBlock, STDERR_LINES, toErrorEvent } from '../../src/output/index.js';
import type { FailureInfo } from '../../src/run/events.js';
import { capture } from './fixtures/output-capture.js';
import { MIGRATE_FAILURE } from './fixtures/output-events.js';

const T = '2026-04-15T10:15:00.000Z';

describe('failure block (one per failed host)', () => {
  test('names host, phase, step, code, the command, exit code and meaning, stderr, state and fix', () => {
    expect(formatFailureBlock(MIGRATE_FAILURE).join('\n')).toBe(
      [
        '✖ web2 · prepare · migrate  (E_HOOK_FAILED)',
        '  error:    task migrate failed',
        '  command:  ./artisan migrate --force',
        '  exit:     127 (command not found)',
        '  stderr:   sh: 1: ./artisan: not found',
        '  state:    still on 20260415-093301; new release 20260415-101500 removed',
        '  fix:      Read the stderr shown; run the command by hand in the release with `shipyaml exec`.',
      ].join('\n'),
    );
  });

  test.each([
    [127, '127 (command not found)'],
    [126, '126 (command found but not executable)'],
    [130, '130 (interrupted (SIGINT))'],
    [137, '137 (killed (SIGKILL, often out of memory))'],
    [1, '1 (general error)'],
    [42, '42'],
  ])('exit %i reads "%s" when the event carries no meaning', (exitCode, text) => {
    const { exitMeaning: _omit, ...rest } = MIGRATE_FAILURE;
    expect(formatFailureBlock({ ...rest, exitCode })).toContain(`  exit:     ${text}`);
  });

  test(`keeps the last ${STDERR_LINES} lines of stderr, aligned, and says how many came before`, () => {
    const stderrTail = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`);
    const lines = formatFailureBlock({ ...MIGRATE_FAILURE, stderrTail });
    const start = lines.findIndex((l) => l.startsWith('  stderr:'));
    expect(lines[start]).toBe('  stderr:   … 5 earlier lines');
    expect(lines.slice(start + 1, start + 21)).toEqual(stderrTail.slice(5).map((l) => `            ${l}`));
    expect(lines.join('\n')).not.toContain('line 5\n');
  });

  test('the fix comes from the catalogue when the failure has no hint; missing fields are left out', () => {
    const f: FailureInfo = { code: 'E_LOCKED', message: 'locked by alice@laptop since 10:01', host: 'web1', phase: 'lock' };
    expect(formatFailureBlock(f)).toEqual([
      '✖ web1 · lock  (E_LOCKED)',
      '  error:    locked by alice@laptop since 10:01',
      '  fix:      Wait for the other deploy, or if it was killed run `shipyaml unlock STAGE`.',
    ]);
  });

  test('a failure of the whole run (no host) leads with its message', () => {
    expect(formatFailureBlock({ code: 'E_INTERRUPTED', message: 'interrupted' })[0]).toBe('✖ interrupted  (E_INTERRUPTED)');
  });

  test('colour only when asked', () => {
    expect(formatFailureBlock(MIGRATE_FAILURE).join('')).not.toContain('\x1b[');
    expect(formatFailureBlock(MIGRATE_FAILURE, createStyle(true)).join('')).toContain('\x1b[31m✖\x1b[39m');
  });
});

describe('error block (errors outside a run)', () => {
  const config = new ShipyamlError('E_CONFIG', 'deploy.yml has 3 problems', {
    details: [
      'deploy.yml:12:9 stages.production.hosts[0].port must be an integer (found "22x")',
      'deploy.yml:3:1 kep_releases is not a known key (did you mean keep_releases?)',
      'deploy.yml:20:5 hooks.before_switch[0] names a task that does not exist: migrat',
    ],
  });

  test('code and message, each detail indented, then the fix; no stack', () => {
    expect(formatErrorBlock(toErrorEvent(config, { time: T }))).toEqual([
      'error E_CONFIG: deploy.yml has 3 problems',
      '  deploy.yml:12:9 stages.production.hosts[0].port must be an integer (found "22x")',
      '  deploy.yml:3:1 kep_releases is not a known key (did you mean keep_releases?)',
      '  deploy.yml:20:5 hooks.before_switch[0] names a task that does not exist: migrat',
      'fix: Correct deploy.yml at the line and column shown; `shipyaml validate` lists every problem.',
    ]);
  });

  test('the stack trace only with --verbose', () => {
    const lines = formatErrorBlock(toErrorEvent(config, { time: T, verbose: true }));
    expect(lines.slice(5).join('\n')).toMatch(/ShipyamlError: deploy.yml has 3 problems\n\s+at /);
  });

  test('a location and a host are part of the first line', () => {
    const e = new ShipyamlError('E_YAML', 'bad indentation', { location: { file: 'deploy.yml', line: 4, col: 3 } });
    expect(formatErrorBlock(toErrorEvent(e, { time: T }))[0]).toBe('error E_YAML: deploy.yml:4:3 bad indentation');
    const c = new ShipyamlError('E_AUTH', 'permission denied (publickey)', { host: 'web1' });
    expect(formatErrorBlock(toErrorEvent(c, { time: T }))[0]).toBe('error E_AUTH [web1]: permission denied (publickey)');
  });

  test('anything else is a bug in shipyaml, with its stack only with --verbose', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'hosts')");
    const quiet = formatErrorBlock(toErrorEvent(bug, { time: T }));
    expect(quiet).toEqual([
      "error E_INTERNAL: internal error (a bug in shipyaml): Cannot read properties of undefined (reading 'hosts')",
      'fix: This is a bug in shipyaml; run again with --verbose and report the stack trace.',
    ]);
    const loud = formatErrorBlock(toErrorEvent(bug, { time: T, verbose: true }));
    expect(loud.slice(2).join('\n')).toMatch(/TypeError: Cannot read properties.*\n\s+at /);
  });

  test('a cause is shown under the stack with --verbose', () => {
    const e = new ShipyamlError('E_CONNECT', 'cannot connect to web1', { cause: new Error('ECONNREFUSED 127.0.0.1:22') });
    expect(formatErrorBlock(toErrorEvent(e, { time: T, verbose: true })).join('\n')).toContain('caused by: Error: ECONNREFUSED 127.0.0.1:22');
  });

  test.each(['plain', 'tty'] as const)('reporter.error() prints the block on the error stream (%s)', async (mode) => {
    const out = capture({ tty: mode === 'tty' });
    const err = capture({ tty: mode === 'tty' });
    const r = createReporter({ mode, stream: out.stream, errorStream: err.stream, env: {}, color: false, redact: (s) => s.replaceAll('22x', '•••') });
    r.error(config);
    await r.close();
    expect(out.text()).toBe('');
    expect(err.text()).toContain('error E_CONFIG: deploy.yml has 3 problems\n');
    expect(err.text()).toContain('(found "•••")');
  });

  test('reporter.error() in json mode is one error event on stdout', async () => {
    const out = capture();
    const r = createReporter({ mode: 'json', stream: out.stream, clock: () => new Date(T) });
    r.error(config);
    await r.close();
    expect(out.writes.filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(out.text())).toEqual({
      type: 'error',
      time: T,
      code: 'E_CONFIG',
      message: 'deploy.yml has 3 problems',
      exitCode: 2,
      details: config.details,
      hint: config.hint,
    });
  });
});
