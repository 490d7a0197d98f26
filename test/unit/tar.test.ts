// The upload's tar writer, read back by the system's tar (GNU tar here, as on the servers):
// every name length regime (ustar, prefix split, pax), links, modes, sizes on block edges.
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BuildEntry } from '../../src/transfer/scan.js';
import { CHUNK_BYTES, tarChunks } from '../../src/transfer/tar.js';

const mtime = new Date('2026-01-02T03:04:05Z');
const dir = (path: string, mode = 0o755): BuildEntry => ({ type: 'directory', path, mode, mtime });
const file = (path: string, data: Buffer | string, mode = 0o644): BuildEntry => ({
  type: 'file',
  path,
  mode,
  mtime,
  data: Buffer.from(data),
  md5: '',
});
const link = (path: string, linkname: string): BuildEntry => ({ type: 'symlink', path, mode: 0o777, mtime, linkname });

const deep = Array.from({ length: 12 }, (_, i) => `dir-${i}-${'d'.repeat(8)}`).join('/'); // ~170 bytes
const longComponent = 'n'.repeat(140);
const entries: BuildEntry[] = [
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
];

const work = mkdtempSync(join(tmpdir(), 'shipyaml-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tarChunks', () => {
  const packed = tarChunks(entries);
  const archive = Buffer.concat(packed.chunks);

  it('counts its bytes, ends on a block boundary with two zero blocks, and keeps chunks at most 256 KiB unless passed through', () => {
    expect(archive.length).toBe(packed.bytes);
    expect(packed.bytes % 512).toBe(0);
    expect(archive.subarray(-1024).every((b) => b === 0)).toBe(true);
    const big = (entries.find((e) => e.path === 'a/big.bin') as Extract<BuildEntry, { type: 'file' }>).data;
    expect(packed.chunks).toContain(big); // the very buffer, not a copy
    for (const c of packed.chunks) if (c !== big) expect(c.length).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('is read back by tar exactly: contents, modes, links, every kind of name', () => {
    const out = join(work, 'x');
    spawnSync('mkdir', ['-p', out]);
    const r = spawnSync('tar', ['-xof', '-', '-C', out], { input: archive });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    for (const e of entries) {
      const abs = join(out, e.path);
      const st = lstatSync(abs);
      if (e.type === 'directory') expect(st.isDirectory(), e.path).toBe(true);
      else if (e.type === 'symlink') expect(readlinkSync(abs), e.path).toBe(e.linkname);
      else {
        expect(readFileSync(abs).equals(e.data), e.path).toBe(true);
        expect(st.mode & 0o777, e.path).toBe(e.mode);
        expect(Math.floor(st.mtimeMs / 1000), e.path).toBe(mtime.getTime() / 1000);
      }
    }
    const listed = spawnSync('tar', ['-tf', '-'], { input: archive }).stdout.toString().trim().split('\n');
    expect(listed.map((p) => p.replace(/\/$/, ''))).toEqual(entries.map((e) => e.path));
  });

  it('writes an empty archive as just the end marker', () => {
    const empty = tarChunks([]);
    expect(empty.bytes).toBe(1024);
    expect(spawnSync('tar', ['-tf', '-'], { input: Buffer.concat(empty.chunks) }).status).toBe(0);
  });
});
