// shipyaml's directory in the user's cache (XDG_CACHE_HOME, else ~/.cache): the build digests
// (transfer/digest-cache.ts) and V8's compiled code of the CLI (cli/code-cache.ts) are kept in it,
// never in the project, where they would show in `git status`. Everything in it can be deleted.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'shipyaml');
}

/** A file left behind by a process killed while writing it (Ctrl-C), an hour later. */
const STALE_TEMP_MS = 60 * 60_000;

/** Removes the `.tmp` files of `dir` that were left behind. */
export function removeStaleTemps(dir: string): void {
  const temps = withMtimes(dir, readdirSync(dir).filter((n) => n.endsWith('.tmp')));
  for (const f of temps) if (Date.now() - f.mtimeMs > STALE_TEMP_MS) unlinkQuietly(f.path);
}

/** Keeps `dir` to its `keep` most recently written files. */
export function keepNewest(dir: string, keep: number): void {
  const names = readdirSync(dir);
  if (names.length <= keep) return;
  const newestFirst = withMtimes(dir, names).sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const f of newestFirst.slice(keep)) unlinkQuietly(f.path);
}

/** The named files of `dir` with their mtimes; one that another process removed meanwhile is left out. */
function withMtimes(dir: string, names: string[]): { path: string; mtimeMs: number }[] {
  return names.flatMap((n) => {
    const path = join(dir, n);
    try {
      return [{ path, mtimeMs: statSync(path).mtimeMs }];
    } catch {
      return [];
    }
  });
}

export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // another process's, gone already
  }
}
