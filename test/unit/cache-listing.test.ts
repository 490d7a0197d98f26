import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LISTING_AWK, listingWalk, parseCacheSums } from '../../src/plan/cache-listing.js';
import { quote } from '../../src/shell/quote.js';
import { treeDigest, type TreeEntry } from '../../src/transfer/tree-digest.js';

// The server side of the listing, run here with the system's find, awk, sort and md5sum, exactly
// as uploadRelease runs it: walk, awk against the old listing, sort, then #exec/#mode appended.
function serverListing(dir: string, old?: { listing: string; mark: string }): { listing: string; digest: string; status: number } {
  const s = join(dir, '..', `${dir.split('/').pop()}.scratch`);
  mkdirSync(s, { recursive: true });
  const oldFile = join(s, 'old');
  writeFileSync(oldFile, old?.listing ?? '');
  const f = (n: string) => quote(join(s, n));
  const script = [
    `${listingWalk(old?.mark)} > ${f('walk')}`,
    `awk ${quote(LISTING_AWK)} ${old ? quote(oldFile) : '/dev/null'} ${f('walk')} ${f('side')} ${f('count')} > ${f('unsorted')} || exit 3`,
    `LC_ALL=C sort ${f('unsorted')} > ${f('sums')}`,
    `md5sum < ${f('sums')} > ${f('digest')}`,
    `cat ${f('side')} >> ${f('sums')}`,
  ].join('\n');
  try {
    execFileSync('sh', ['-c', script], { cwd: dir });
  } catch (e) {
    return { listing: '', digest: '', status: (e as { status: number }).status };
  }
  return { listing: readFileSync(join(s, 'sums'), 'utf8'), digest: readFileSync(join(s, 'digest'), 'utf8').split(' ')[0]!, status: 0 };
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
    expect(server.status).toBe(0);
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
    const mark = join(dir, '..', `${dir.split('/').pop()}.mark`);
    const first = serverListing(dir);
    writeFileSync(mark, '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(mark, past, past); // ctime cannot be set back; the marker's mtime can be
    const before = first.listing;
    // Every file's ctime is newer than a marker from a minute ago: all hashed, nothing taken over.
    expect(serverListing(dir, { listing: before, mark }).listing).toBe(first.listing);
    // A marker from the future: nothing is newer, every line comes from the old listing.
    const future = new Date(Date.now() + 60_000);
    utimesSync(mark, future, future);
    expect(serverListing(dir, { listing: before, mark }).listing).toBe(first.listing);
    // Unchanged files the old listing lacks: the awk refuses (the script then hashes everything).
    const missing = before.split('\n').filter((l) => !l.endsWith('./a.txt')).join('\n');
    expect(serverListing(dir, { listing: missing, mark }).status).toBe(3);
  });

  it('a listing from an older shipyaml (files only) or an unreadable one is not trusted', () => {
    expect(parseCacheSums('d41d8cd98f00b204e9800998ecf8427e  ./a\n#exec\n')).toBeUndefined();
    expect(parseCacheSums('garbage\n#exec\n#mode\n')).toBeUndefined();
    expect(parseCacheSums('')).toBeUndefined();
    expect(parseCacheSums('d41d8cd98f00b204e9800998ecf8427e  ./a\nD ./d\n#exec\n#mode\n')?.dirs).toEqual(new Set(['d']));
  });
});
