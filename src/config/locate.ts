// Key path -> file:line:col. The path comes from ajv (instancePath) or from a rule; the position
// comes from the yaml Document kept from parsing. A path that does not exist in the document (a
// missing required key) lands on the deepest part that does: the mapping that lacks the key.
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { SourceLocation } from '../errors/shipyaml-error.js';
import type { KeyPath, Problem } from './problems.js';
import type { ConfigSource } from './source.js';

interface Found {
  node: unknown;
  pair?: Pair;
  /** True when every segment of the path was found. */
  complete: boolean;
}

function keyMatches(pair: Pair, seg: string | number): boolean {
  const key = isScalar(pair.key) ? pair.key.value : pair.key;
  return key === seg || (key !== null && typeof key !== 'object' && String(key) === String(seg));
}

function findPair(map: YAMLMap, seg: string | number, source: ConfigSource, depth = 0): Pair | undefined {
  const direct = map.items.find((p) => keyMatches(p, seg));
  if (direct !== undefined || depth > 10) return direct;
  // A key brought in by a YAML merge (<<: *base) is found where the anchor defines it.
  for (const p of map.items) {
    if (!(isScalar(p.key) && p.key.value === '<<')) continue;
    const targets = isSeq(p.value) ? p.value.items : [p.value];
    for (const t of targets) {
      const resolved = resolveAlias(t, source);
      if (isMap(resolved)) {
        const hit = findPair(resolved, seg, source, depth + 1);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

function resolveAlias(node: unknown, source: ConfigSource): unknown {
  if (isAlias(node) && source.doc) return node.resolve(source.doc);
  return node;
}

function walk(source: ConfigSource, path: KeyPath): Found {
  let node: unknown = source.doc?.contents;
  let pair: Pair | undefined;
  for (const seg of [...source.base, ...path]) {
    node = resolveAlias(node, source);
    let next: Pair | unknown;
    if (isMap(node)) next = findPair(node, seg, source);
    else if (isSeq(node) && typeof seg === 'number') next = node.items[seg];
    if (next === undefined) return { node, pair, complete: false };
    if (isPair(next)) {
      pair = next;
      node = next.value;
    } else {
      pair = undefined;
      node = next;
    }
  }
  return { node, pair, complete: true };
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** Where a key path is in the file; line 1 col 1 when the source has no positions (JS configs). */
export function locate(source: ConfigSource, path: KeyPath, atKey = false): SourceLocation {
  const origin = source.origins?.find(path);
  if (origin && origin.source !== source) return locate(origin.source, origin.path, atKey);
  const start = { file: source.display, line: 1, col: 1 };
  if (!source.doc || !source.lineCounter) return start;
  const found = walk(source, path);
  let offset: number | undefined;
  const value = found.node;
  const emptyValue =
    value === null || value === undefined || (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
  if (found.complete && found.pair && (atKey || emptyValue)) offset = offsetOf(found.pair.key);
  else offset = offsetOf(value) ?? offsetOf(found.pair?.key);
  if (offset === undefined) return start;
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.display, line, col };
}

export function locateProblems(source: ConfigSource, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => (p.location ? p : { ...p, location: locate(source, p.path, p.atKey) }));
}
