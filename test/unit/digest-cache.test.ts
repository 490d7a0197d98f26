// The build scan's digest cache on a real filesystem: a file is read again whenever it could have
// changed (any write, even of the same size with its mtime put back; a rename over it; a write
// within the clock tick of the scan), and only then; a broken or unusable cache costs a full
// read, never a wrong digest.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestCacheFile, openDigestCache, type FileStamp } from '../../src/transfer/digest-cache.js';
import { scanBuild, type BuildManifest } from '../../src/transfer/scan.js';
import { afterClockTick } from '../support/clock-tick.js';

const base = mkdtempSync(join(tmpdir(), 'shipyaml-digests-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const MTIME = new Date('2026-01-02T03:04:05Z');

/** A build of `count` files, and a cache directory of its own (XDG_CACHE_HOME). */
function fixture(count = 30): { build: string; cacheHome: string; file: string } {
  const root = join(base, String(n++));
  const build = join(root, 'build');
  mkdirSync(join(build, 'sub'), { recursive: true });
  for (let i = 0; i < count; i++) {
    const f = join(build, i % 2 ? 'sub' : '', `f${i}.txt`);
    writeFileSync(f, `file ${i}\n`.repeat(i + 1));
    // One mtime for all, as reproducible builds leave them: mtimes tell nothing apart.
    utimesSync(f, MTIME, MTIME);
  }
  const cacheHome = join(root, 'cache');
  const file = digestCacheFile(build, [], { XDG_CACHE_HOME: cacheHome })!;
  return { build, cacheHome, file };
}

const scan = (build: string, file: string | undefined, reuse = true) => scanBuild(build, [], file ? { digests: { file, reuse } } : {});
const md5s = (m: BuildManifest) => Object.fromEntries(m.entries.flatMap((e) => (e.type === 'file' ? [[e.path, e.md5]] : [])));
const md5 = (data: string) => createHash('md5').update(data).digest('hex');

describe('the build digest cache', () => {
  it('reads every file once, then none while nothing changed, with the same manifest', async () => {
    const f = fixture();
    await afterClockTick(f.build, join(f.cacheHome, 'shipyaml/digests'));
    const first = await scan(f.build, f.file);
    expect(first.read).toBe(30);
    expect(existsSync(f.file)).toBe(true);
    const second = await scan(f.build, f.file);
    expect(second.read).toBe(0);
    expect(second.digest).toBe(first.digest);
    expect(md5s(second)).toEqual(md5s(first));
    // Unchanged: not written again.
    const written = statSync(f.file).mtimeMs;
    await scan(f.build, f.file);
    expect(statSync(f.file).mtimeMs).toBe(written);
    expect(readdirSync(join(f.file, '..'))).toEqual([f.file.split('/').pop()]);
  });

  it('reads a same-size edit with its mtime put back, a file renamed over another, and nothing else', async () => {
    const f = fixture();
    await afterClockTick(f.build, join(f.cacheHome, 'shipyaml/digests'));
    const first = await scan(f.build, f.file);
    const edited = join(f.build, 'f4.txt');
    const before = statSync(edited);
    const same = readFileSync(edited, 'utf8').replace('file 4', 'FILE 4');
    writeFileSync(edited, same);
    utimesSync(edited, MTIME, MTIME);
    expect(statSync(edited).size).toBe(before.size);
    expect(statSync(edited).mtimeMs).toBe(before.mtimeMs);
    // f6 (same size as f6 was, made elsewhere with the same mtime) renamed over f6.
    const other = join(f.build, '..', 'f6.new');
    const f6 = join(f.build, 'f6.txt');
    writeFileSync(other, readFileSync(f6, 'utf8').toUpperCase());
    utimesSync(other, MTIME, MTIME);
    renameSync(other, f6);
    const second = await scan(f.build, f.file);
    expect(second.read).toBe(2);
    expect(md5s(second)['f4.txt']).toBe(md5(same));
    expect(md5s(second)['f6.txt']).toBe(md5(readFileSync(f6, 'utf8')));
    expect(second.digest).not.toBe(first.digest);
    // The two were written just before that scan, maybe within its clock tick: then they were
    // not recorded, and are read once more after the clock has moved on.
    await afterClockTick(f.build, join(f.cacheHome, 'shipyaml/digests'));
    expect((await scan(f.build, f.file)).read).toBeLessThanOrEqual(2);
    const fourth = await scan(f.build, f.file);
    expect(fourth.read).toBe(0);
    expect(md5s(fourth)).toEqual(md5s(second));
  });

  it('records no file changed at or after the scan stamp, nor one on another device', () => {
    const f = fixture(1);
    const cache = openDigestCache(f.file, { reuse: true })!;
    // The stamp is the new cache file itself: created just now.
    const tmp = readdirSync(join(f.file, '..')).find((x) => x.endsWith('.tmp'))!;
    const clock = statSync(join(f.file, '..', tmp));
    const old: FileStamp = { dev: clock.dev, ino: 1, size: 3, mtimeMs: 1000, ctimeMs: clock.ctimeMs - 1 };
    cache.record('old', old, md5('old'));
    cache.record('same-tick', { ...old, ino: 2, ctimeMs: clock.ctimeMs }, md5('same-tick'));
    cache.record('later', { ...old, ino: 3, ctimeMs: clock.ctimeMs + 5 }, md5('later'));
    cache.record('elsewhere', { ...old, ino: 4, dev: clock.dev + 1 }, md5('elsewhere'));
    cache.save();
    const again = openDigestCache(f.file, { reuse: true })!;
    expect(again.known('old', old)).toBe(md5('old'));
    expect(again.known('old', { ...old, ctimeMs: old.ctimeMs + 0.001 })).toBeUndefined();
    expect(again.known('old', { ...old, ino: 9 })).toBeUndefined();
    expect(again.known('same-tick', { ...old, ino: 2, ctimeMs: clock.ctimeMs })).toBeUndefined();
    expect(again.known('later', { ...old, ino: 3, ctimeMs: clock.ctimeMs + 5 })).toBeUndefined();
    expect(again.known('elsewhere', { ...old, ino: 4, dev: clock.dev + 1 })).toBeUndefined();
    again.discard();
    expect(readdirSync(join(f.file, '..'))).toEqual([f.file.split('/').pop()]);
  });

  it('--full reads every file and writes the cache afresh', async () => {
    const f = fixture();
    await afterClockTick(f.build, join(f.cacheHome, 'shipyaml/digests'));
    await scan(f.build, f.file);
    const full = await scan(f.build, f.file, false);
    expect(full.read).toBe(30);
    expect((await scan(f.build, f.file)).read).toBe(0);
  });

  it('a cache file that is garbage, cut short or of another build costs a full read, not a wrong digest', async () => {
    const f = fixture();
    await afterClockTick(f.build, join(f.cacheHome, 'shipyaml/digests'));
    const truth = md5s(await scan(f.build, undefined));
    await scan(f.build, f.file);
    const good = readFileSync(f.file, 'utf8');
    // The same names recorded from a copy of the build: other inodes and ctimes.
    const copy = join(f.build, '..', 'copy');
    mkdirSync(copy);
    for (const p of readdirSync(f.build, { recursive: true }).map(String)) {
      if (lstatSync(join(f.build, p)).isDirectory()) mkdirSync(join(copy, p), { recursive: true });
      else writeFileSync(join(copy, p), readFileSync(join(f.build, p)));
    }
    await afterClockTick(copy, join(f.cacheHome, 'shipyaml/digests'));
    await scan(copy, f.file);
    expect(readFileSync(f.file, 'utf8')).not.toBe(good);
    for (const broken of ['garbage\n', readFileSync(f.file, 'utf8'), good.replace(/^([0-9a-f]{31})[0-9a-f]/gm, '$1')]) {
      writeFileSync(f.file, broken);
      const m = await scan(f.build, f.file);
      expect(m.read).toBe(30);
      expect(md5s(m)).toEqual(truth);
    }
    // Cut short in the middle of a line: what is left is used, and nothing is wrong.
    await scan(f.build, f.file);
    writeFileSync(f.file, good.slice(0, good.indexOf('\t', good.length / 2) + 3));
    const cut = await scan(f.build, f.file);
    expect(cut.read).toBeGreaterThan(0);
    expect(cut.read).toBeLessThan(30);
    expect(md5s(cut)).toEqual(truth);
  });

  it('an unusable cache location, or SHIPYAML_DIGEST_CACHE=off, means reading everything', async () => {
    const f = fixture();
    const notDir = join(f.cacheHome, 'a-file');
    mkdirSync(f.cacheHome, { recursive: true });
    writeFileSync(notDir, '');
    const blocked = digestCacheFile(f.build, [], { XDG_CACHE_HOME: notDir })!;
    expect(openDigestCache(blocked, { reuse: true })).toBeUndefined();
    expect((await scan(f.build, blocked)).read).toBe(30);
    expect((await scan(f.build, blocked)).read).toBe(30);
    expect(digestCacheFile(f.build, [], { SHIPYAML_DIGEST_CACHE: 'off', XDG_CACHE_HOME: f.cacheHome })).toBeUndefined();
    // A relative XDG_CACHE_HOME is ignored (as the spec says), for ~/.cache.
    expect(digestCacheFile(f.build, [], { XDG_CACHE_HOME: 'rel' })).toMatch(/\/\.cache\/shipyaml\/digests\/[0-9a-f]{32}$/);
  });

  it('a new file left by a scan killed an hour ago is removed; a running scan\'s is not', async () => {
    const f = fixture(2);
    const dir = join(f.file, '..');
    mkdirSync(dir, { recursive: true });
    const [stale, running] = [`${f.file}.1.dead.tmp`, `${f.file}.2.live.tmp`];
    writeFileSync(stale, 'half');
    writeFileSync(running, 'half');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    await scan(f.build, f.file);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });

  it('a failed scan leaves the old cache as it was; one file per build; at most 64 kept', async () => {
    const f = fixture();
    await afterClockTick(f.build, join(f.cacheHome, 'shipyaml/digests'));
    await scan(f.build, f.file);
    const kept = readFileSync(f.file, 'utf8');
    writeFileSync(join(f.build, 'bad\nname'), '');
    await expect(scan(f.build, f.file)).rejects.toThrow(/line break/);
    expect(readFileSync(f.file, 'utf8')).toBe(kept);
    expect(readdirSync(join(f.file, '..'))).toHaveLength(1);
    const g = fixture(2);
    expect(digestCacheFile(g.build, [], { XDG_CACHE_HOME: f.cacheHome })).not.toBe(f.file);
    // Another exclude list over the same build: a file of its own.
    expect(digestCacheFile(f.build, ['*.log'], { XDG_CACHE_HOME: f.cacheHome })).not.toBe(f.file);
    expect(digestCacheFile(f.build, [], { XDG_CACHE_HOME: f.cacheHome })).toBe(f.file);
    const dir = join(f.file, '..');
    for (let i = 0; i < 70; i++) writeFileSync(join(dir, `old${i}`), '');
    unlinkSync(join(f.build, 'bad\nname'));
    writeFileSync(join(f.build, 'new.txt'), 'new');
    await scan(f.build, f.file);
    expect(readdirSync(dir)).toHaveLength(64);
    expect(existsSync(f.file)).toBe(true);
  });
});
