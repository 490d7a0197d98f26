// The upload's stdin: each reader cycles through a few buffers of its own, so it must never
// refill a buffer before the destination has taken what was in it, must stop when told or
// refused, and must fail with the build's own error.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { scanBuild } from '../../src/transfer/scan.js';
import { CHUNK_BYTES, tarChunks } from '../../src/transfer/tar.js';
import { SHARED_MAX_BYTES, uploadArchive, uploadSource } from '../../src/transfer/upload-source.js';

const work = mkdtempSync(join(tmpdir(), 'shipyaml-upload-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const build = join(work, 'build');
mkdirSync(join(build, 'assets'), { recursive: true });
// Distinct bytes everywhere, so a buffer refilled too early shows as corrupted output.
for (let i = 0; i < 12; i++) writeFileSync(join(build, 'assets', `f${i}.bin`), Buffer.alloc(CHUNK_BYTES / 2 + i * 1000, i + 1));
writeFileSync(join(build, 'assets', 'big.bin'), Buffer.from(Array.from({ length: 5 * CHUNK_BYTES }, (_, i) => (i * 7) % 251)));

/** A destination that takes each chunk late (a slow channel) and keeps a copy only when it takes it. */
function slowSink(opts: { refuseAt?: number } = {}) {
  const got: Buffer[] = [];
  let outstanding = 0;
  let maxOutstanding = 0;
  let ended = false;
  const pending: { chunk: Buffer; cb: (e?: Error | null) => void }[] = [];
  const dest: Writable = new Writable({
    highWaterMark: 64 * CHUNK_BYTES,
    write(chunk: Buffer, _enc, cb) {
      pending.push({ chunk, cb });
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  dest.on('error', () => {}); // a refused write destroys the stream, as a closed channel is
  const origWrite = dest.write.bind(dest);
  (dest as { write: unknown }).write = (chunk: Buffer, cb: (e?: Error | null) => void) => {
    outstanding++;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    return origWrite(chunk, (e?: Error | null) => {
      outstanding--;
      cb(e);
    });
  };
  // Takes one chunk every few ms, copying it only now: reuse before this would corrupt it.
  const timer = setInterval(() => {
    const p = pending.shift();
    if (!p) return;
    if (opts.refuseAt !== undefined && got.length === opts.refuseAt) return p.cb(new Error('EPIPE'));
    got.push(Buffer.from(p.chunk));
    p.cb();
  }, 2);
  return { dest, got, stop: () => clearInterval(timer), max: () => maxOutstanding, ended: () => ended };
}

describe('uploadSource', async () => {
  const manifest = await scanBuild(build, []);
  const expected = Buffer.concat(tarChunks(manifest.entries).chunks);

  it('writes the archive byte for byte through two buffers in flight, then ends', async () => {
    const sink = slowSink();
    const progress: number[] = [];
    const source = uploadSource(uploadArchive(manifest.entries), (n) => progress.push(n));
    try {
      await source.writeTo(sink.dest, new AbortController().signal);
      await new Promise<void>((r) => sink.dest.once('finish', () => r()));
    } finally {
      sink.stop();
    }
    const out = Buffer.concat(sink.got);
    expect(out.length).toBe(source.bytes);
    expect(out.equals(expected)).toBe(true);
    expect(sink.max()).toBe(2);
    expect(sink.ended()).toBe(true);
    expect(progress.at(-1)).toBe(source.bytes);
  });

  it('stops, without ending the destination, once told to', async () => {
    const sink = slowSink();
    const stop = new AbortController();
    const source = uploadSource(uploadArchive(manifest.entries));
    const done = source.writeTo(sink.dest, stop.signal);
    setTimeout(() => stop.abort(), 15);
    try {
      await done;
    } finally {
      sink.stop();
    }
    expect(Buffer.concat(sink.got).length).toBeLessThan(source.bytes);
    expect(sink.ended()).toBe(false);
  });

  it('stops quietly when the destination refuses a write (the command exited)', async () => {
    const sink = slowSink({ refuseAt: 2 });
    try {
      await expect(uploadSource(uploadArchive(manifest.entries)).writeTo(sink.dest, new AbortController().signal)).resolves.toBeUndefined();
    } finally {
      sink.stop();
    }
    expect(sink.got.length).toBe(2);
    expect(sink.ended()).toBe(false);
  });

  it('fails with the build error when a file shrank since the scan', async () => {
    const f = join(build, 'assets', 'f3.bin');
    truncateSync(f, 10);
    const sink = slowSink();
    try {
      await expect(uploadSource(uploadArchive(manifest.entries)).writeTo(sink.dest, new AbortController().signal)).rejects.toThrow(/assets\/f3\.bin changed while it was being uploaded/);
    } finally {
      sink.stop();
      writeFileSync(f, Buffer.alloc(CHUNK_BYTES / 2 + 3000, 4));
    }
  });

  it('builds a small archive once: every host that shares it gets the same bytes, read from the build once', async () => {
    const small = join(work, 'small');
    mkdirSync(join(small, 'sub'), { recursive: true });
    writeFileSync(join(small, 'sub', 'a.txt'), 'a'.repeat(3000));
    writeFileSync(join(small, 'b.txt'), 'b');
    const entries = (await scanBuild(small, [])).entries;
    const archive = uploadArchive(entries);
    expect(archive.bytes).toBeLessThanOrEqual(SHARED_MAX_BYTES);
    const want = Buffer.concat(tarChunks(entries).chunks);
    const first = slowSink();
    try {
      await uploadSource(archive).writeTo(first.dest, new AbortController().signal);
    } finally {
      first.stop();
    }
    // The build is gone: the next host's upload still has every byte, from the shared chunks.
    rmSync(small, { recursive: true });
    const second = slowSink();
    const progress: number[] = [];
    try {
      await uploadSource(archive, (n) => progress.push(n)).writeTo(second.dest, new AbortController().signal);
      if (!second.dest.writableFinished) await new Promise<void>((r) => second.dest.once('finish', () => r()));
    } finally {
      second.stop();
    }
    expect(Buffer.concat(first.got).equals(want)).toBe(true);
    expect(Buffer.concat(second.got).equals(want)).toBe(true);
    expect(second.ended()).toBe(true);
    expect(progress.at(-1)).toBe(archive.bytes);
  });
});
