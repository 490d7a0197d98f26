// ajv errors -> problems a person can act on. ajv says `must match pattern "^(?:[A-Za-z0-9_]…"`;
// this says "must be a host name, IP address or ssh alias…". Messages are chosen by the $defs
// entry the error comes from (the kind of value), then by keyword.
import type { ErrorObject } from 'ajv';
import type { KeyPath, Problem } from './problems.js';
import { allowedKeys, defNameOf, topLevelOnlyKeys } from './schema.js';
import { closest } from './suggest.js';
import { BY_DEF, BY_PATTERN, typePhrase } from './messages.js';

function pathOf(e: ErrorObject): (string | number)[] {
  if (e.instancePath === '') return [];
  return e.instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/**
 * ajv describes a list index and a mapping key of digits the same way ("/hosts/0"). Digits are
 * only a list index when the data there is a list; `0:` as a key stays a string.
 */
function fixIndexes(path: (string | number)[], data: unknown): KeyPath {
  let node: unknown = data;
  return path.map((seg) => {
    const s = typeof seg === 'number' && !Array.isArray(node) ? String(seg) : seg;
    node = node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[String(s)];
    return s;
  });
}

function unknownKeyMessage(key: string, parentSchema: unknown, atTop: boolean): string {
  if (!atTop && defNameOf(parentSchema) === 'stage' && topLevelOnlyKeys().includes(key)) {
    return 'can only be set at the top level, not in a stage';
  }
  const allowed = allowedKeys(parentSchema);
  const guess = closest(key, allowed);
  if (guess !== undefined) return `is not a known key; did you mean "${guess}"?`;
  return allowed.length > 0 ? `is not a known key (known here: ${allowed.join(', ')})` : 'is not a known key';
}

/** Turns one ajv error into a problem (or none, for errors that only summarise others). */
function toProblem(e: ErrorObject, data: unknown): Problem | undefined {
  const base = pathOf(e);
  const def = defNameOf(e.parentSchema);
  const byDef = def === undefined ? undefined : BY_DEF[`${def}/${e.keyword}`];
  const found = { value: e.data };
  // An invalid key name (propertyNames): the problem is the key, so point at it.
  if (e.propertyName !== undefined) {
    const path = fixIndexes([...base, e.propertyName], data);
    return { path, message: byDef ?? 'is not a valid key name', atKey: true };
  }
  const path = fixIndexes(base, data);
  switch (e.keyword) {
    case 'if':
    case 'propertyNames':
      return undefined; // summaries of errors reported on their own
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return { path: [...path, missing], message: 'is required' };
    }
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      return { path: [...path, key], message: unknownKeyMessage(key, e.parentSchema, path.length === 0), atKey: true };
    }
    case 'false schema':
      // The only `false` schemas are the host fields a { local: true } host cannot have.
      return { path, message: 'is not allowed on a local host (local: true)', atKey: true };
    case 'type':
      if (path.length === 0) return { path, message: 'must be a mapping of settings such as "app: myapp"', found };
      return { path, message: byDef ?? `must be ${typePhrase((e.params as { type: unknown }).type)}`, found };
    case 'pattern': {
      const pattern = String((e.params as { pattern: string }).pattern);
      return { path, message: byDef ?? BY_PATTERN[pattern] ?? `must match the pattern ${pattern}`, found };
    }
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'minItems':
    case 'minProperties': {
      const limit = Number((e.params as { limit: number }).limit);
      return { path, message: limit === 1 ? 'must not be empty' : `must have at least ${limit} entries` };
    }
    case 'minimum':
      return { path, message: `must be at least ${String((e.params as { limit: number }).limit)}`, found };
    case 'maximum':
      return { path, message: `must be at most ${String((e.params as { limit: number }).limit)}`, found };
    case 'uniqueItems': {
      const { i, j } = e.params as { i: number; j: number };
      const later = Math.max(i, j);
      return { path: [...path, later], message: `repeats entry ${Math.min(i, j)}`, found: { value: (e.data as unknown[])[later] } };
    }
    case 'const':
    case 'enum': {
      const allowed = e.keyword === 'const' ? [(e.params as { allowedValue: unknown }).allowedValue] : (e.params as { allowedValues: unknown[] }).allowedValues;
      return { path, message: byDef ?? `must be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}`, found };
    }
    case 'not': {
      // "(found a mapping)" says nothing when the mapping as a whole is the problem.
      const scalar = e.data === null || typeof e.data !== 'object';
      return { path, message: byDef ?? 'is not allowed here', ...(scalar ? { found } : {}) };
    }
    default:
      return { path, message: byDef ?? e.message ?? 'is not valid', found };
  }
}

/**
 * oneOf/anyOf: ajv reports the failures of every branch plus a summary. When all branches only
 * miss a key ("run" or "url"), one message says so; otherwise the branch that came closest
 * (fewest errors) is reported, as that is the one the user most likely meant. Marks every error
 * it used in `consumed`.
 */
function alternatives(e: ErrorObject, list: readonly ErrorObject[], data: unknown, consumed: Set<ErrorObject>): Problem[] {
  consumed.add(e);
  const prefix = `${e.schemaPath}/`;
  const branches = new Map<number, ErrorObject[]>();
  for (const b of list) {
    if (!b.schemaPath.startsWith(prefix)) continue;
    consumed.add(b);
    const index = Number(b.schemaPath.slice(prefix.length).split('/')[0]);
    branches.set(index, [...(branches.get(index) ?? []), b]);
  }
  const keys = (e.schema as { required?: string[] }[]).flatMap((s) => s.required ?? []);
  const path = fixIndexes(pathOf(e), data);
  const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
  const all = [...branches.values()].flat();
  if (passing && passing.length > 1) return [{ path, message: `must have only one of ${keys.join(', ')}` }];
  if (all.length > 0 && all.every((b) => b.keyword === 'required' && b.instancePath === e.instancePath)) {
    return [{ path, message: `needs ${keys.join(' or ')}` }];
  }
  const closestBranch = [...branches.values()].sort((a, b) => a.length - b.length)[0] ?? [];
  return closestBranch.map((b) => toProblem(b, data)).filter((p): p is Problem => p !== undefined);
}

export function problemsFromAjv(errors: readonly ErrorObject[], data: unknown): Problem[] {
  const consumed = new Set<ErrorObject>();
  const problems: Problem[] = [];
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') problems.push(...alternatives(e, errors, data, consumed));
  }
  for (const e of errors) {
    if (consumed.has(e)) continue;
    const p = toProblem(e, data);
    if (p) problems.push(p);
  }
  return problems;
}
