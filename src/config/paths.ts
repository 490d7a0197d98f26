// Path helpers for the rules and normalisation. Remote paths are POSIX; local ones use node:path.
import os from 'node:os';
import path from 'node:path';

export const hasDotDot = (p: string): boolean => p.split('/').includes('..');

/**
 * Paths that reach server commands (deploy_to, shared paths) are quoted everywhere, but one that
 * holds shell syntax is a mistake or an attack, and makes every printed command hard to read.
 */
const SHELL_META = /[;&|$`<>()'"\\*?[\]{}!]/;

export function shellMetaProblem(p: string): string | undefined {
  const m = SHELL_META.exec(p);
  return m ? `must not contain shell metacharacters (found ${JSON.stringify(m[0])}; allowed: letters, digits, space and . _ - + @ : , = ~ /)` : undefined;
}

/** "~/x" -> "$HOME/x" for paths on this machine (ssh keys, a local deploy_to). */
export function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

/** A local path: ~ expanded, then relative paths against the config file's directory. */
export function resolveLocal(dir: string, p: string): string {
  return path.resolve(dir, expandHome(p));
}

/** "./storage/", "storage" and "storage/." are the same shared path. */
export function normaliseRelative(p: string): string {
  return path.posix.normalize(p).replace(/\/+$/, '');
}

/** True when `inner` is `outer` or lies below it. */
export function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
