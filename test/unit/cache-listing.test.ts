import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listingScript, parseCacheSums } from '../../src/plan/cache-listing.js';
import { quote } from '../../src/shell/quote.js';
import { treeDigest, type TreeEntry } from '../../src/transfer/tree-digest.js';
import { shimCalls, toolShim } from '../support/tool-shim.js';

// The server side of the listing, run here with the system's find, awk, sort and md5sum through
// the same lines uploadRelease runs (listingScript), then #exec/#mode appended as it does. md5sum
// is shimmed to log the files it is given: which path the script took shows in what it hashed.
function serverListing(
  dir: string,
  old?: { listing: string; mark: string },
  opts: { findRefuses?: string } = {},
): { listing: string; digest: string; hashed: number; printfs: number } {
  const s = join(dir, '..', `${dir.split('/').pop()}.scratch`);
  mkdirSync(s, { recursive: true });
  const { env, log } = toolShim(s, 'md5sum');
  writeFileSync(log, '');
  // printf processes (find's -exec printf) are logged too; a find that refuses GNU's -fprintf is
  // what busybox and BSD have.
  const printf = toolShim(s, 'printf');
  writeFileSync(printf.log, '');
  if (opts.findRefuses) toolShim(s, 'find', { option: opts.findRefuses, complaint: `unknown predicate ${opts.findRefuses}` });
  const at = (n: string) => join(s, n);
  const f = { walk: at('walk'), names: at('names'), unsorted: at('unsorted'), side: at('side'), count: at('count'), sorted: at('sums'), digest: at('digest') };
  writeFileSync(at('old'), old?.listing ?? '');
  const lines = [
    // Touched before hashing, as the upload does: the delta's "clock went back" check compares to it.
    `: > ${quote(at('now'))}`,
    ...listingScript(f, old ? { old: at('old'), mark: old.mark, now: at('now') } : undefined),
    `cat ${quote(f.side)} >> ${quote(f.sorted)}`,
  ];
  execFileSync('sh', ['-c', lines.join('\n')], { cwd: dir, env: { ...process.env, ...env } });
  const hashed = readFileSync(log, 'utf8').split('\n').flatMap((l) => l.split(' ').filter((a) => a.startsWith('./'))).length;
  const printfs = shimCalls(printf.log);
  return { listing: readFileSync(f.sorted, 'utf8'), digest: readFileSync(f.digest, 'utf8').split(' ')[0]!, hashed, printfs };
}

function tree(opts: { newline?: boolean } = {}): { dir: string; entries: TreeEntry[] } {
  const dir = mkdtempSync(join(tmpdir(), 'listing-'));
  const files: Record<string, string> = {
    'a.txt': 'one',
    'sub/b.bin': '\u0000\u0001two',
    'sub/deeper/c': '',
    'Z upper': 'z',
    'with space.txt': 's',
    'back\\slash': 'b',
    'ünï/cødé': 'u',
    // md5sum escapes it; a delta's unchanged-file lines cannot carry it, and hash everything then.
    ...(opts.newline === false ? {} : { 'new\nline': 'n' }),
  };
  const entries: TreeEntry[] = [];
  for (const d of ['sub', 'sub/deeper', 'ünï', 'empty', 'odd']) {
    mkdirSync(join(dir, d), { recursive: true });
    entries.push({ type: 'directory', path: d });
  }
  chmodSync(join(dir, 'odd'), 0o750);
  for (const [path, content] of Object.entries(files)) {
    writeFileSync(join(dir, path), content);
    entries.push({ type: 'file', path, md5: createHash('md5').update(content).digest('hex') });
  }
  chmodSync(join(dir, 'sub/deeper/c'), 0o755);
  symlinkSync('a.txt', join(dir, 'sub/link'));
  entries.push({ type: 'symlink', path: 'sub/link' });
  return { dir, entries };
}

describe('the cache listing', () => {
  it('the client predicts the digest the server computes, odd names, directories and links included', () => {
    const { dir, entries } = tree();
    const server = serverListing(dir);
    expect(server.hashed).toBe(entries.filter((e) => e.type === 'file').length);
    expect(server.digest).toBe(treeDigest(entries));
    // One byte, one empty directory or one link more changes it.
    writeFileSync(join(dir, 'a.txt'), 'onE');
    expect(serverListing(dir).digest).not.toBe(server.digest);
    writeFileSync(join(dir, 'a.txt'), 'one');
    mkdirSync(join(dir, 'stray'));
    expect(serverListing(dir).digest).not.toBe(server.digest);
  });

  it('reads back as the tree: files with sums, executables, directories, links, modes other than 0755', () => {
    const { dir, entries } = tree();
    const listing = parseCacheSums(serverListing(dir).listing)!;
    expect(listing).toBeDefined();
    const files = entries.filter((e) => e.type === 'file');
    expect(listing.md5.size).toBe(files.length);
    for (const f of files) expect(listing.md5.get(f.path)).toBe(f.md5);
    expect([...listing.exec]).toEqual(['sub/deeper/c']);
    expect([...listing.dirs].sort()).toEqual(['empty', 'odd', 'sub', 'sub/deeper', 'ünï']);
    expect([...listing.links]).toEqual(['sub/link']);
    expect([...listing.oddDirs]).toEqual(['odd']);
  });

  it('a delta hashes only files newer than the marker and gives the same listing as hashing everything', () => {
    const { dir } = tree({ newline: false });
    const files = 7;
    const mark = join(dir, '..', `${dir.split('/').pop()}.mark`);
    const first = serverListing(dir);
    expect(first.hashed).toBe(files);
    const before = first.listing;
    // A marker written after every file: nothing is newer, every line comes from the old listing.
    writeFileSync(mark, '');
    const unchanged = serverListing(dir, { listing: before, mark });
    expect(unchanged.hashed).toBe(0);
    expect(unchanged.listing).toBe(first.listing);
    // One file written since: only it is hashed.
    writeFileSync(join(dir, 'a.txt'), 'one');
    const one = serverListing(dir, { listing: before, mark });
    expect(one.hashed).toBe(1);
    expect(one.listing).toBe(first.listing);
    // Unchanged files the old listing lacks: the awk refuses, and every file is hashed again
    // (after the one file the delta's walk had hashed).
    const missing = before.split('\n').filter((l) => !l.endsWith('./with space.txt')).join('\n');
    const refused = serverListing(dir, { listing: missing, mark });
    expect(refused.hashed).toBe(1 + files);
    expect(refused.listing).toBe(first.listing);
    // A marker from the future (the clock went back): not trusted, every file is hashed.
    const future = new Date(Date.now() + 60_000);
    utimesSync(mark, future, future);
    const ahead = serverListing(dir, { listing: before, mark });
    expect(ahead.hashed).toBe(files);
    expect(ahead.listing).toBe(first.listing);
  });

  it('GNU find writes the names itself (no printf process); a find without -fprintf gives the same listing, delta included', () => {
    const { dir } = tree({ newline: false });
    const gnu = serverListing(dir);
    expect(gnu.printfs).toBe(0);
    const posix = serverListing(dir, undefined, { findRefuses: '-fprintf' });
    expect(posix.printfs).toBeGreaterThan(0);
    expect(posix.listing).toBe(gnu.listing);
    expect(posix.digest).toBe(gnu.digest);
    const mark = join(dir, '..', `${dir.split('/').pop()}.mark`);
    writeFileSync(mark, '');
    // The write below must be newer than the marker, whatever the clock's granularity.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    writeFileSync(join(dir, 'a.txt'), 'one');
    for (const findRefuses of [undefined, '-fprintf']) {
      const delta = serverListing(dir, { listing: gnu.listing, mark }, { findRefuses });
      expect(delta.hashed, String(findRefuses)).toBe(1);
      expect(delta.listing).toBe(gnu.listing);
    }
  });

  it('a listing from an older shipyaml (files only) or an unreadable one is not trusted', () => {
    expect(parseCacheSums('d41d8cd98f00b204e9800998ecf8427e  ./a\n#exec\n')).toBeUndefined();
    expect(parseCacheSums('garbage\n#exec\n#mode\n')).toBeUndefined();
    expect(parseCacheSums('')).toBeUndefined();
    expect(parseCacheSums('d41d8cd98f00b204e9800998ecf8427e  ./a\nD ./d\n#exec\n#mode\n')?.dirs).toEqual(new Set(['d']));
  });
});
