// The schema is the one source of the config's shape: these tests keep it self-consistent, keep
// the generated types identical to it, and keep its documented defaults equal to the ones used.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { deploySchema, schemaValidator } from '../../src/config/schema.js';
// @ts-expect-error -- a plain .mjs script without type declarations
import { generateTypes, TYPES_FILE } from '../../scripts/gen-types.mjs';

type Json = Record<string, unknown>;
const schema = deploySchema() as Json;

/** Every subschema with the JSON pointer that leads to it. */
function* subschemas(node: unknown, pointer = '#'): Generator<[string, Json]> {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* subschemas(v, `${pointer}/${i}`);
    return;
  }
  yield [pointer, node as Json];
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'properties' || k === '$defs' || k === 'dependentSchemas') {
      for (const [name, sub] of Object.entries(v as Json)) yield* subschemas(sub, `${pointer}/${k}/${name}`);
    } else if (typeof v === 'object') {
      yield* subschemas(v, `${pointer}/${k}`);
    }
  }
}

/** Conditions (if/then/else/not) constrain values defined elsewhere; they define no keys. */
const isCondition = (pointer: string): boolean => /\/(if|then|else|not)(\/|$)/.test(pointer);

const at = (pointer: string): Json =>
  pointer
    .slice(2)
    .split('/')
    .reduce<Json>((n, k) => n[k] as Json, schema);

describe('schema/deploy.schema.json', () => {
  it('is JSON Schema 2020-12 with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('urn:shipyaml:schema:deploy');
  });

  it('compiles in ajv strict mode', () => {
    expect(typeof schemaValidator()).toBe('function');
  });

  it('describes every property and every $defs entry', () => {
    const missing: string[] = [];
    for (const [pointer, s] of subschemas(schema)) {
      const isProperty = /\/(properties|\$defs)\/[^/]+$/.test(pointer) && !isCondition(pointer);
      if (isProperty && typeof s.description !== 'string') missing.push(pointer);
    }
    expect(missing).toEqual([]);
  });

  it('rejects unknown keys in every mapping (additionalProperties: false, or a propertyNames rule for maps)', () => {
    const open: string[] = [];
    for (const [pointer, s] of subschemas(schema)) {
      if (!s.properties || isCondition(pointer)) continue;
      if (s.additionalProperties !== false && s.unevaluatedProperties !== false) open.push(pointer);
    }
    for (const [pointer, s] of subschemas(schema)) {
      if (typeof s.additionalProperties === 'object' && !s.propertyNames) open.push(`${pointer} (map without propertyNames)`);
    }
    expect(open).toEqual([]);
  });

  it('documents the defaults the code uses', () => {
    const d = (pointer: string) => at(pointer).default;
    expect(d('#/$defs/keepReleases')).toBe(DEFAULTS.keepReleases);
    expect(d('#/$defs/parallel')).toBe(DEFAULTS.parallel);
    expect(d('#/$defs/source/properties/build')).toBe(DEFAULTS.build);
    expect(d('#/$defs/source/properties/git/properties/ref')).toBe(DEFAULTS.gitRef);
    expect(d('#/$defs/healthcheck/properties/retries')).toBe(DEFAULTS.healthcheck.retries);
    expect(d('#/$defs/healthcheck/properties/interval')).toBe(DEFAULTS.healthcheck.interval);
    expect(d('#/$defs/healthcheck/properties/timeout')).toBe(DEFAULTS.healthcheck.timeout);
    expect(d('#/$defs/ssh/properties/connect_timeout')).toBe(DEFAULTS.ssh.connectTimeout);
    expect(d('#/$defs/ssh/properties/keepalive')).toBe(DEFAULTS.ssh.keepalive);
    expect(d('#/$defs/ssh/properties/forward_agent')).toBe(DEFAULTS.ssh.forwardAgent);
  });

  it('lets a stage override every top-level key except app, extends and stages', () => {
    const top = Object.keys(schema.properties as Json);
    const stage = Object.keys(at('#/$defs/stage').properties as Json);
    expect(top.filter((k) => !stage.includes(k))).toEqual(['app', 'extends', 'stages']);
    expect(stage.filter((k) => !top.includes(k)).sort()).toEqual(['hosts', 'user']);
  });
});

describe('src/config/schema-types.ts', () => {
  it('is exactly what scripts/gen-types.mjs generates from the schema (run npm run gen:types)', async () => {
    const committed = await readFile(TYPES_FILE as string, 'utf8');
    expect(await (generateTypes as () => Promise<string>)()).toBe(committed);
  });
});
