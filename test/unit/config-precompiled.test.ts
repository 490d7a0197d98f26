// The precompiled validators (src/config/generated/validators.ts) decide alone whether a config is
// valid; the runtime ajv only explains invalid ones. So they must agree on every value: these tests
// keep the generated file identical to what the script makes of the schema, and compare both on the
// examples, the built-in recipes and many broken variants of them.
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateDeploy, validateRecipe } from '../../src/config/generated/validators.js';
import { recipeValidator, schemaValidator } from '../../src/config/schema.js';
import { deployErrors, recipeErrors } from '../../src/config/schema-check.js';
// @ts-expect-error -- a plain .mjs script without type declarations
import { generateValidators, VALIDATORS_FILE } from '../../scripts/gen-validators.mjs';

type Json = Record<string, unknown>;
const root = new URL('../../', import.meta.url);
const yamlAt = (rel: string): unknown => parse(readFileSync(new URL(rel, root), 'utf8'));
const fast = { deploy: validateDeploy as (v: unknown) => boolean, recipe: validateRecipe as (v: unknown) => boolean };

const EXAMPLES = ['examples/laravel-app/deploy.yml', 'examples/static-site/deploy.yml', 'examples/recipe-app/deploy.yml'];
const RECIPES = [
  ...readdirSync(new URL('src/recipes/', root)).map((f) => `src/recipes/${f}`),
  ...readdirSync(new URL('examples/recipe-package/recipes/', root)).map((f) => `examples/recipe-package/recipes/${f}`),
];

/** Values that break most keys somewhere: wrong types, limits, patterns, empty and duplicate entries. */
const REPLACEMENTS: unknown[] = [
  null, 0, -1, 1, 70000, 2.5, '', 'x', '-x', 'a b', 'web1\nweb2', '/', '~/x', '2', '2s', 'ftp://x/', true, false,
  [], ['a', 'a'], ['!x'], {}, { local: true }, { local: true, port: 22 }, { run: 'true', url: 'http://x/' }, { host: 'h' }, { env: 'X' }, { bogus: 1 },
];

const clone = <T>(v: T): T => structuredClone(v);

/** Every place in a value (as a key path), for replacing what is there. */
function* paths(node: unknown, at: (string | number)[] = []): Generator<(string | number)[]> {
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Json)) {
    const key = Array.isArray(node) ? Number(k) : k;
    yield [...at, key];
    yield* paths(v, [...at, key]);
  }
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = clone(value);
  let node = copy as Json;
  for (const k of path.slice(0, -1)) node = node[k as string] as Json;
  node[path.at(-1) as string] = replacement;
  return copy;
}

function removeAt(value: unknown, path: (string | number)[]): unknown {
  const copy = clone(value);
  let node = copy as Json;
  for (const k of path.slice(0, -1)) node = node[k as string] as Json;
  if (Array.isArray(node)) node.splice(path.at(-1) as number, 1);
  else delete node[path.at(-1) as string];
  return copy;
}

/** The value itself, then every key removed, every value replaced, and an unknown key added to every mapping. */
function* variants(value: unknown): Generator<unknown> {
  yield value;
  for (const r of REPLACEMENTS) yield r;
  for (const p of paths(value)) {
    yield removeAt(value, p);
    for (const r of REPLACEMENTS) yield setAt(value, p, r);
  }
  for (const p of [[], ...paths(value)]) {
    const node = p.reduce<unknown>((n, k) => (n as Json)[k as string], value);
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) yield setAt(value, [...p, 'bogus_key'], 1);
  }
}

function disagreements(kind: 'deploy' | 'recipe', values: Iterable<unknown>): { valid: number; invalid: number; differ: unknown[] } {
  const runtime = kind === 'deploy' ? schemaValidator() : recipeValidator();
  let valid = 0;
  let invalid = 0;
  const differ: unknown[] = [];
  for (const v of values) {
    const expected = runtime(v) === true;
    if (expected) valid++;
    else invalid++;
    if (fast[kind](v) !== expected) differ.push(v);
  }
  return { valid, invalid, differ };
}

describe('src/config/generated/validators.ts', () => {
  it('is exactly what scripts/gen-validators.mjs generates from the schema (run npm run gen:validators)', async () => {
    const committed = await readFile(VALIDATORS_FILE as string, 'utf8');
    expect(await (generateValidators as () => Promise<string>)()).toBe(committed);
  });

  it('accepts the examples, as the runtime validator does', () => {
    for (const file of EXAMPLES) {
      expect(fast.deploy(yamlAt(file)), file).toBe(true);
      expect(deployErrors(yamlAt(file)), file).toBeUndefined();
    }
  });

  it('accepts the built-in and example recipes', () => {
    for (const file of RECIPES) {
      expect(fast.recipe(yamlAt(file) ?? {}), file).toBe(true);
      expect(recipeErrors(yamlAt(file) ?? {}), file).toBeUndefined();
    }
  });

  it('agrees with the runtime validator on broken variants of every example config', () => {
    for (const file of EXAMPLES) {
      const { valid, invalid, differ } = disagreements('deploy', variants(yamlAt(file)));
      expect(differ, file).toEqual([]);
      // The variants must exercise both answers, or the comparison proves nothing.
      expect(valid, file).toBeGreaterThan(10);
      expect(invalid, file).toBeGreaterThan(100);
    }
  });

  it('agrees with the runtime validator on broken variants of every recipe', () => {
    for (const file of RECIPES) {
      const { invalid, differ } = disagreements('recipe', variants(yamlAt(file) ?? {}));
      expect(differ, file).toEqual([]);
      expect(invalid, file).toBeGreaterThan(20);
    }
  });

  it('leaves invalid values to the runtime validator, whose verbose errors carry the schema', () => {
    const errors = deployErrors({ app: 'demo', stages: { production: { hosts: [{ host: 'web1', port: 70000 }] } } });
    expect(errors?.map((e) => [e.instancePath, e.keyword])).toEqual([['/stages/production/hosts/0/port', 'maximum']]);
    expect(errors?.[0]?.parentSchema).toBeTypeOf('object');
    expect(recipeErrors({ app: 'x' })?.map((e) => e.keyword)).toEqual(['additionalProperties']);
  });
});
