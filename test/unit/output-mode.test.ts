import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { colorEnabled, createReporter, resolveMode } from '../../src/output/index.js';
import { capture, feed } from './fixtures/output-capture.js';
import { failedDeploy } from './fixtures/output-events.js';

// Which renderer and whether to colour: from the stream and the environment only.

const tty = 'terminal';
const pipe = 'pipe';
const streams = { terminal: capture({ tty: true }).stream, pipe: capture().stream };

describe('picking the renderer', () => {
  test.each([
    ['auto', tty, {}, false, 'tty'],
    ['auto', pipe, {}, false, 'plain'],
    ['auto', tty, { CI: 'true' }, false, 'plain'],
    ['auto', tty, { GITHUB_ACTIONS: 'true' }, false, 'plain'],
    ['auto', tty, { CI: '0' }, false, 'tty'],
    ['auto', tty, { TERM: 'dumb' }, false, 'plain'],
    ['auto', tty, {}, true, 'plain'], // --verbose streams lines; a redrawn task list would scroll them away
    ['tty', pipe, {}, false, 'tty'],
    ['plain', tty, {}, false, 'plain'],
    ['json', tty, {}, false, 'json'],
  ] as const)('%s on a %s stream with env %j (verbose %s) is %s', (mode, stream, env, verbose, expected) => {
    expect(resolveMode(mode, streams[stream], env, verbose)).toBe(expected);
  });
});

describe('colour', () => {
  test.each([
    ['tty', tty, {}, undefined, true],
    ['plain', pipe, {}, undefined, false],
    ['plain', pipe, { FORCE_COLOR: '1' }, undefined, true],
    ['plain', pipe, { FORCE_COLOR: '' }, undefined, true],
    ['plain', pipe, { FORCE_COLOR: '0' }, undefined, false],
    ['tty', tty, { FORCE_COLOR: 'false' }, undefined, false],
    ['tty', tty, { NO_COLOR: '1' }, undefined, false],
    ['plain', pipe, { NO_COLOR: '1', FORCE_COLOR: '1' }, undefined, false],
    ['tty', tty, {}, false, false], // --no-color
    ['plain', pipe, { FORCE_COLOR: '1' }, false, false],
    ['tty', tty, { TERM: 'dumb' }, undefined, false],
    ['json', tty, { FORCE_COLOR: '1' }, undefined, false],
  ] as const)('%s mode, env %j, color option %s: %s', (mode, stream, env, color, expected) => {
    expect(colorEnabled(mode, streams[stream], env, color)).toBe(expected);
  });

  test('createReporter in auto mode on a stream that is not a terminal writes plain lines without ANSI codes', async () => {
    const out = capture();
    await feed(createReporter({ mode: 'auto', stream: out.stream, env: {} }), failedDeploy());
    expect(out.text()).not.toContain('\x1b');
    expect(out.text()).toMatch(/^\d\d:\d\d:\d\d deploy example to production/);
  });
});

describe('listr2 stays out of the way', () => {
  test('only the tty reporter loads listr2, and only with a dynamic import', () => {
    const dir = new URL('../../src/output/', import.meta.url);
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      // `import type` is erased at build; any other static import would load listr2 for --version.
      for (const line of source.split('\n')) if (/^\s*(import|export)\b(?!\s+type\b).*from\s+'listr2'/.test(line)) offenders.push(`${file}: ${line}`);
      if (source.includes("import('listr2')") && file !== 'tty-reporter.ts') offenders.push(`${file}: dynamic import`);
    }
    expect(offenders).toEqual([]);
  });
});
