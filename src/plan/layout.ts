import { posix } from 'node:path';

/** Where everything lives under deploy_to (DESIGN §1). Pure: paths only, nothing is touched. */
export interface Layout {
  root: string;
  releases: string;
  shared: string;
  current: string;
  state: string;
  lock: string;
  log: string;
  cache: string;
  /** md5 of every file in the cache, then `#exec` and the executable ones (plan/delta.ts reads it). */
  cacheSums: string;
  /** Touched before the cache listing is hashed: files changed since must be hashed again. */
  cacheMark: string;
  /** Present while an upload changes the cache: cacheSums is not read (the next upload is full). */
  cacheDirty: string;
}

export function layout(deployTo: string): Layout {
  const root = posix.normalize(deployTo).replace(/\/+$/, '') || '/';
  const state = posix.join(root, '.shipyaml');
  return {
    root,
    releases: posix.join(root, 'releases'),
    shared: posix.join(root, 'shared'),
    current: posix.join(root, 'current'),
    state,
    lock: posix.join(state, 'lock'),
    log: posix.join(state, 'log.jsonl'),
    cache: posix.join(state, 'cache'),
    cacheSums: posix.join(state, 'cache.sums'),
    cacheMark: posix.join(state, 'cache.mark'),
    cacheDirty: posix.join(state, 'cache.dirty'),
  };
}

export const releasePath = (l: Layout, id: string): string => posix.join(l.releases, id);
