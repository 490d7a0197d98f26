// The upload's tar writer over a real build dir, read back by the system's tar (GNU tar here, as
// on the servers): every name length regime (ustar, prefix split, pax), links, modes, mtimes,
// sizes on block and chunk edges.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanBuild } from '../../src/transfer/scan.js';
import { CHUNK_BYTES, tarChunks } from '../../src/transfer/tar.js';

type Spec = { type: 'directory'; path: string } | { type: 'file'; path: string; data: Buffer; mode: number } | { type: 'symlink'; path: string; linkname: string };
const mtime = new Date('2026-01-02T03:04:05Z');
const dir = (path: string): Spec => ({ type: 'directory', path });
const file = (path: string, data: Buffer | string, mode = 0o644): Spec => ({ type: 'file', path, mode, data: Buffer.from(data) });
const link = (path: string, linkname: string): Spec => ({ type: 'symlink', path, linkname });

const deep = Array.from({ length: 12 }, (_, i) => `dir-${i}-${'d'.repeat(8)}`).join('/'); // ~170 bytes
const longComponent = 'n'.repeat(140);
const entries: Spec[] = [
  dir('a'),
  file('a/empty', ''),
  file('a/block', 'x'.repeat(512)),
  file('a/block+1', 'y'.repeat(513)),
  file('a/run.sh', '#!/bin/sh\necho hi\n', 0o755),
  file(`a/${'e'.repeat(100 - 2)}`, 'exactly 100 bytes of name'),
  dir('a/ünïcødé ✓'),
  file('a/ünïcødé ✓/naïve file.txt', 'utf-8 names'),
  dir(deep.split('/')[0]!),
  ...deep.split('/').slice(1).map((_, i) => dir(deep.split('/').slice(0, i + 2).join('/'))),
  file(`${deep}/in-prefix.txt`, 'a name split into prefix + name'),
  file(`a/${longComponent}`, 'a name that only pax can hold'),
  link('a/short-link', 'block'),
  link('a/long-link', `../${deep}/in-prefix.txt`),
  file('a/big.bin', Buffer.alloc(3 * CHUNK_BYTES + 17, 7)),
  file('a/after-big', 'the block after a pass-through buffer'),
  // The scan reads a file in one call when lstat's size fills less than its 1 MiB buffer.
  file('a/mib', Buffer.alloc(1024 * 1024, 3)),
  file('a/mib+1', Buffer.alloc(1024 * 1024 + 1, 4)),
];

const work = mkdtempSync(join(tmpdir(), 'shipyaml-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const build = join(work, 'build');
mkdirSync(build);
for (const e of entries) {
  const abs = join(build, e.path);
  if (e.type === 'directory') mkdirSync(abs);
  else if (e.type === 'symlink') symlinkSync(e.linkname, abs);
  else {
    writeFileSync(abs, e.data);
    chmodSync(abs, e.mode);
    utimesSync(abs, mtime, mtime);
  }
}

describe('tarChunks', async () => {
  const manifest = await scanBuild(build, []);
  const packed = tarChunks(manifest.entries);
  const archive = Buffer.concat(packed.chunks);

  it('scans every entry in name order with md5 and size, keeping no contents', () => {
    expect(manifest.entries.map((e) => e.path)).toEqual([...entries.map((e) => e.path)].sort());
    for (const e of manifest.entries) {
      if (e.type !== 'file') continue;
      const spec = entries.find((x) => x.path === e.path) as Extract<Spec, { type: 'file' }>;
      expect(e.size).toBe(spec.data.length);
      expect(e.md5).toBe(createHash('md5').update(spec.data).digest('hex'));
      expect(Object.keys(e)).not.toContain('data');
    }
  });

  it('counts its bytes, ends on a block boundary with two zero blocks, and fills full 256 KiB chunks', () => {
    expect(archive.length).toBe(packed.bytes);
    expect(packed.bytes % 512).toBe(0);
    expect(archive.subarray(-1024).every((b) => b === 0)).toBe(true);
    for (const c of packed.chunks.slice(0, -1)) expect(c.length).toBe(CHUNK_BYTES);
    expect(packed.chunks.at(-1)!.length).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('is read back by tar exactly: contents, modes, links, every kind of name', () => {
    const out = join(work, 'x');
    spawnSync('mkdir', ['-p', out]);
    const r = spawnSync('tar', ['-xof', '-', '-C', out], { input: archive });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    for (const e of entries) {
      const abs = join(out, e.path);
      if (e.type === 'symlink') {
        expect(readlinkSync(abs), e.path).toBe(e.linkname);
        continue;
      }
      const st = lstatSync(abs);
      if (e.type === 'directory') expect(st.isDirectory(), e.path).toBe(true);
      else {
        expect(readFileSync(abs).equals(e.data), e.path).toBe(true);
        expect(st.mode & 0o777, e.path).toBe(e.mode);
        expect(Math.floor(st.mtimeMs / 1000), e.path).toBe(mtime.getTime() / 1000);
      }
    }
    const listed = spawnSync('tar', ['-tf', '-'], { input: archive }).stdout.toString().trim().split('\n');
    expect(listed.map((p) => p.replace(/\/$/, ''))).toEqual(manifest.entries.map((e) => e.path));
  });

  it('refuses a file that shrank between the scan and the upload, naming it', () => {
    const f = join(build, 'a/block+1');
    truncateSync(f, 10);
    try {
      expect(() => tarChunks(manifest.entries)).toThrow(/a\/block\+1 changed while it was being uploaded/);
    } finally {
      writeFileSync(f, 'y'.repeat(513));
    }
  });

  it('writes an empty archive as just the end marker', () => {
    const empty = tarChunks([]);
    expect(empty.bytes).toBe(1024);
    expect(spawnSync('tar', ['-tf', '-'], { input: Buffer.concat(empty.chunks) }).status).toBe(0);
  });
});
