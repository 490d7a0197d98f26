// Pure: which files a host needs, from the build's digests and what the host's cache holds.
// Decided by content (md5), never by size or mtime, which miss same-size edits.

export interface CacheListing {
  /** path -> md5 of each regular file in .shipyaml/cache, as the server's md5sum reported. */
  md5: Map<string, string>;
  /** Paths of files with the owner's execute bit. */
  exec: Set<string>;
}

export interface BuildFileInfo {
  path: string;
  md5: string;
  mode: number;
}

export type UploadMode =
  | { kind: 'full'; reason: string }
  | { kind: 'delta'; changed: string[]; removed: string[] };

/** Above these, a full upload is simpler and no slower. */
const MAX_LISTED_PATHS = 400;
const MAX_LISTED_BYTES = 48 * 1024;

export function decideUpload(files: readonly BuildFileInfo[], cache: CacheListing | undefined, forceFull: boolean): UploadMode {
  if (forceFull) return { kind: 'full', reason: '--full' };
  if (!cache) return { kind: 'full', reason: 'no cache on the host yet' };
  const changed: string[] = [];
  const present = new Set<string>();
  for (const f of files) {
    present.add(f.path);
    const same = cache.md5.get(f.path) === f.md5 && cache.exec.has(f.path) === ((f.mode & 0o100) !== 0);
    if (!same) changed.push(f.path);
  }
  const removed = new Set<string>();
  for (const old of cache.md5.keys()) {
    if (!present.has(old)) removed.add(old);
  }
  // A file where the cache has a directory: the directory must go before the file can land.
  const oldDirs = new Set<string>();
  for (const old of cache.md5.keys()) {
    const parts = old.split('/');
    for (let i = 1; i < parts.length; i++) oldDirs.add(parts.slice(0, i).join('/'));
  }
  for (const p of changed) if (oldDirs.has(p)) removed.add(p);
  const listed = changed.length + removed.size;
  const listedBytes = [...changed, ...removed].reduce((n, p) => n + p.length + 4, 0);
  if (listed > MAX_LISTED_PATHS || listedBytes > MAX_LISTED_BYTES || changed.length * 2 > files.length) {
    return { kind: 'full', reason: `${changed.length} of ${files.length} files changed` };
  }
  return { kind: 'delta', changed: changed.sort(), removed: [...removed].sort() };
}

/** Parses .shipyaml/cache.sums: md5sum lines, then `#exec` and the executable paths. */
export function parseCacheSums(text: string): CacheListing | undefined {
  if (!text.trim()) return undefined;
  const md5 = new Map<string, string>();
  const exec = new Set<string>();
  let inExec = false;
  for (const raw of text.split('\n')) {
    if (raw === '#exec') {
      inExec = true;
      continue;
    }
    if (!raw) continue;
    if (inExec) {
      exec.add(raw.replace(/^\.\//, ''));
      continue;
    }
    const m = /^\\?([0-9a-f]{32}) [ *]\.\/(.*)$/.exec(raw);
    if (!m) return undefined; // unreadable listing: trust nothing, upload everything
    const name = raw.startsWith('\\') ? m[2]!.replace(/\\(\\|n|r)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\')) : m[2]!;
    md5.set(name, m[1]!);
  }
  return { md5, exec };
}
