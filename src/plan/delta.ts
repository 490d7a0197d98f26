// Pure: what a host needs, from the build and the server's listing of its cache. Files are
// decided by content (md5), never by size or mtime, which miss same-size edits.
import type { CacheListing } from './cache-listing.js';

export type BuildItem =
  | { type: 'file'; path: string; md5: string; mode: number }
  | { type: 'directory'; path: string; mode: number }
  | { type: 'symlink'; path: string };

/**
 * A delta sends the changed files, the directories the cache lacks or holds with another mode,
 * and every symlink (a listing does not record where a link points); `removed` is everything the
 * cache holds that the build does not, or holds as another type.
 */
export type UploadMode =
  | { kind: 'full'; reason: string }
  | { kind: 'delta'; send: Set<string>; changedFiles: number; removed: string[] };

/** Above these, a full upload is simpler and no slower (the removed paths are listed in the script). */
const MAX_LISTED_PATHS = 400;
const MAX_LISTED_BYTES = 48 * 1024;

export function decideUpload(build: readonly BuildItem[], cache: CacheListing | undefined, forceFull: boolean): UploadMode {
  if (forceFull) return { kind: 'full', reason: '--full' };
  if (!cache) return { kind: 'full', reason: 'no cache on the host yet' };
  const send = new Set<string>();
  const present = { file: new Set<string>(), directory: new Set<string>(), symlink: new Set<string>() };
  let files = 0;
  let changedFiles = 0;
  for (const e of build) {
    present[e.type].add(e.path);
    if (e.type === 'file') {
      files++;
      if (cache.md5.get(e.path) !== e.md5 || cache.exec.has(e.path) !== ((e.mode & 0o100) !== 0)) {
        send.add(e.path);
        changedFiles++;
      }
    } else if (e.type === 'directory') {
      if (!cache.dirs.has(e.path) || e.mode !== 0o755 || cache.oddDirs.has(e.path)) send.add(e.path);
    } else {
      send.add(e.path);
    }
  }
  const removed: string[] = [];
  for (const p of cache.md5.keys()) if (!present.file.has(p)) removed.push(p);
  for (const p of cache.dirs) if (!present.directory.has(p)) removed.push(p);
  for (const p of cache.links) if (!present.symlink.has(p)) removed.push(p);
  const listed = changedFiles + removed.length;
  const listedBytes = removed.reduce((n, p) => n + p.length + 4, 0);
  if (listed > MAX_LISTED_PATHS || listedBytes > MAX_LISTED_BYTES || changedFiles * 2 > files) {
    return { kind: 'full', reason: `${changedFiles} of ${files} files changed` };
  }
  return { kind: 'delta', send, changedFiles, removed: removed.sort() };
}
