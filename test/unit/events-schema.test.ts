import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { createReporter, toErrorEvent } from '../../src/output/index.js';
import { RUN_EVENT_TYPES, type RunEvent, type RunEventType } from '../../src/run/events.js';
import { failedDeploy, MIGRATE_FAILURE, RELEASE, rollbackCommand, rolledBackDeploy, successfulDeploy } from './fixtures/output-events.js';

// schema/events.schema.json is what --json consumers code against; src/run/events.ts is what the
// runner emits. These tests keep the two in step.

const schema = JSON.parse(readFileSync(new URL('../../schema/events.schema.json', import.meta.url), 'utf8')) as {
  oneOf: { $ref: string }[];
  $defs: Record<string, { properties?: { type?: { const?: string } } }>;
};
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function check(e: unknown): string[] {
  return validate(e) ? [] : (validate.errors ?? []).map((err) => `${err.instancePath} ${err.message}`);
}

const T = '2026-04-15T10:15:00.000Z';
/** One event of every type; the keys make TypeScript (and the test below) demand a new type's sample. */
const SAMPLES: { [K in RunEventType]: Extract<RunEvent, { type: K }> } = {
  start: { type: 'start', time: T, command: 'deploy', stage: 'production', app: 'example', releaseId: RELEASE, hosts: ['web1'] },
  phase: { type: 'phase', time: T, phase: 'switch', status: 'ok', ms: 12 },
  step: { type: 'step', time: T, host: 'web1', phase: 'prepare', step: 'migrate', status: 'start', command: './artisan migrate --force' },
  output: { type: 'output', time: T, host: 'web1', step: 'migrate', stream: 'stderr', line: 'Migrated' },
  transfer: { type: 'transfer', time: T, host: 'web1', bytes: 10, total: 20, files: 1 },
  warning: { type: 'warning', time: T, host: 'web1', message: 'disk 91% full' },
  failure: { type: 'failure', time: T, failure: MIGRATE_FAILURE },
  done: { type: 'done', time: T, command: 'deploy', ok: true, exitCode: 0, releaseId: RELEASE, message: 'deployed', ms: 10, phases: [{ phase: 'switch', ms: 1 }], hosts: [{ host: 'web1', state: 'live' }] },
  result: { type: 'result', time: T, command: 'releases', data: { rows: [] } },
  error: { type: 'error', time: T, code: 'E_CONFIG', message: 'deploy.yml has 1 problem', exitCode: 2, details: ['deploy.yml:3:1 x'], hint: 'fix it', location: { file: 'deploy.yml', line: 3, col: 1 }, host: 'web1', stack: 'Error: …' },
};

describe('events schema', () => {
  test('has an entry for every event type in events.ts, and no other', () => {
    const inSchema = schema.oneOf.map((r) => schema.$defs[r.$ref.replace('#/$defs/', '')]?.properties?.type?.const);
    expect([...inSchema].sort()).toEqual([...RUN_EVENT_TYPES].sort());
    expect(Object.keys(SAMPLES).sort()).toEqual([...RUN_EVENT_TYPES].sort());
  });

  test.each(RUN_EVENT_TYPES.map((t) => [t]))('a sample %s event is valid', (type) => {
    expect(check(SAMPLES[type])).toEqual([]);
  });

  test.each([
    ['a successful 3-host deploy', successfulDeploy()],
    ['a deploy that fails on one host', failedDeploy()],
    ['a deploy rolled back after a failed healthcheck', rolledBackDeploy()],
    ['the rollback command', rollbackCommand()],
  ])('every event of %s is valid, as printed by --json', async (_name, events) => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    const reporter = createReporter({ mode: 'json', stream });
    for (const e of events) reporter.emit(e);
    await reporter.close();
    const parsed = lines.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(parsed).toEqual(events);
    for (const e of parsed) expect(check(e), JSON.stringify(e)).toEqual([]);
  });

  test('the sequences above use every event type a run emits', () => {
    const used = new Set([...successfulDeploy(), ...failedDeploy(), ...rolledBackDeploy(), ...rollbackCommand()].map((e) => e.type));
    // 'error' is not part of a run: it replaces one (see the test below); 'result' belongs to
    // reporting commands (releases, plan…), checked on real output in test/cli/json-events.test.ts.
    expect([...used].sort()).toEqual(RUN_EVENT_TYPES.filter((t) => t !== 'error' && t !== 'result').sort());
  });

  test('error events built from thrown errors are valid', () => {
    const config = new ShipyamlError('E_CONFIG', 'deploy.yml has 2 problems', { details: ['a', 'b'], location: { file: 'deploy.yml', line: 2, col: 5 } });
    expect(check(toErrorEvent(config, { time: T }))).toEqual([]);
    expect(check(toErrorEvent(config, { time: T, verbose: true }))).toEqual([]);
    expect(check(toErrorEvent(new TypeError('x is undefined'), { time: T, verbose: true }))).toEqual([]);
    expect(check(toErrorEvent('a string was thrown', { time: T }))).toEqual([]);
  });

  test.each<[string, unknown]>([
    ['an unknown type', { type: 'progress', time: T }],
    ['a missing required field', { type: 'phase', time: T, phase: 'switch' }],
    ['a field the schema does not know', { ...SAMPLES.warning, colour: 'red' }],
    ['an unknown phase', { ...SAMPLES.phase, phase: 'deploy' }],
    ['a time that is not ISO 8601', { ...SAMPLES.phase, time: 'yesterday' }],
    ['a failure without a code', { type: 'failure', time: T, failure: { message: 'x' } }],
  ])('rejects %s', (_name, event) => {
    expect(check(event)).not.toEqual([]);
  });

  test('describes every event and every field', () => {
    const missing: string[] = [];
    for (const [name, def] of Object.entries(schema.$defs) as [string, { description?: string; properties?: Record<string, { description?: string; $ref?: string; const?: string }> }][]) {
      if (!def.description) missing.push(name);
      for (const [prop, p] of Object.entries(def.properties ?? {})) {
        // `type` is its own description; a $ref to a described definition carries that description.
        if (!p.description && p.const === undefined && !p.$ref) missing.push(`${name}.${prop}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
