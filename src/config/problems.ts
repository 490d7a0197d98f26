// A config problem is data, not a throw: every step of the pipeline returns the problems it found
// and the caller reports all of them at once, each with file:line:col, the key path, what is wrong
// and what was found.
import { ShipyamlError, formatLocation, type SourceLocation } from '../errors/shipyaml-error.js';
import type { ErrorCode } from '../errors/codes.js';

export type KeyPath = readonly (string | number)[];

export interface Problem {
  /** Where in the config, as keys and list indexes: ['stages', 'production', 'hosts', 0, 'port']. */
  path: KeyPath;
  /** What is wrong, phrased to follow the key path: "must be an integer". */
  message: string;
  /** The offending value, shown as "(found X)"; absent when showing it would not help. */
  found?: { value: unknown };
  /** Point at the key itself (an unknown or misspelt key) instead of its value. */
  atKey?: boolean;
  /** Set by locate(); rules leave it empty and give only the path. */
  location?: SourceLocation;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(problems: Problem[]): Result<T> => ({ ok: false, problems });

/** `stages.production.hosts[0].port`; keys that are not plain words are written as ["…"]. */
export function formatKeyPath(path: KeyPath): string {
  if (path.length === 0) return '';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** How a found value reads in a message: strings quoted (and cut when long), lists and mappings by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(cut);
  }
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

export function formatProblem(p: Problem): string {
  const where = p.location ? `${formatLocation(p.location)} ` : '';
  const found = p.found ? ` (found ${describeValue(p.found.value)})` : '';
  const key = formatKeyPath(p.path);
  return `${where}${key === '' ? '' : `${key} `}${p.message}${found}`;
}

/** Problems in file order, each reported once (a top-level mistake shows up in every stage). */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique: Problem[] = [];
  for (const p of problems) {
    const line = formatProblem(p);
    if (seen.has(line)) continue;
    seen.add(line);
    unique.push(p);
  }
  const pos = (p: Problem) => [p.location?.line ?? 0, p.location?.col ?? 0] as const;
  return unique
    .map((p, i) => ({ p, i }))
    .sort((a, b) => pos(a.p)[0] - pos(b.p)[0] || pos(a.p)[1] - pos(b.p)[1] || a.i - b.i)
    .map(({ p }) => p);
}

/** The one error that carries every problem: "deploy.yml has 3 problems", one detail line each. */
export function problemsError(
  display: string,
  problems: readonly Problem[],
  code: ErrorCode = 'E_CONFIG',
  what = 'problem',
): ShipyamlError {
  const sorted = sortProblems(problems);
  const n = sorted.length;
  return new ShipyamlError(code, `${display} has ${n} ${what}${n === 1 ? '' : 's'}`, {
    details: sorted.map(formatProblem),
    location: sorted[0]?.location,
  });
}
