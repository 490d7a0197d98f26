// The build archive as a command's stdin. Each host reads the build into two buffers of its
// own and reuses them as the channel takes them, so a deploy holds 512 KiB per host in flight
// instead of the whole archive (one shared copy was ~33 MB of a 20-host deploy's peak memory,
// and fresh chunks per host waited for the garbage collector). Files come from the page cache
// after the first host, so reading them again is cheap next to encrypting them.
//
// A small archive (a delta, typically) is the opposite case: built once, its chunks go to every
// host that needs the same entries. Building it per host cost more client CPU than sending it.
import type { Writable } from 'node:stream';
import type { StdinSource } from '../transport/transport.js';
import type { BuildEntry } from './scan.js';
import { archiveBytes, CHUNK_BYTES, generateChunks, tarChunks } from './tar.js';
import { uploadedBytes } from './young-garbage.js';

/**
 * Buffers per reader. Two keep the channel fed: the channel takes one while the other is read
 * (a synchronous read, done as soon as a buffer comes back). Four cost 10 MB more at the peak of
 * a 20-host deploy (10 uploads at once) and were no faster at 1 host (1.07 vs 1.04 s) or 20.
 */
const POOL = 2;

/** Archives up to this size are built once and shared by the hosts that need them. */
export const SHARED_MAX_BYTES = 1024 * 1024;

/** The entries of one archive; hosts with the same entries share one (and its chunks when small). */
export interface UploadArchive {
  readonly entries: readonly BuildEntry[];
  readonly bytes: number;
  /** A small archive's chunks, built on first use and never changed after. */
  chunks?: readonly Buffer[];
}

export function uploadArchive(entries: readonly BuildEntry[]): UploadArchive {
  return { entries, bytes: archiveBytes(entries) };
}

export interface UploadSource extends StdinSource {
  /** The archive's size, known before anything is read (the progress total). */
  readonly bytes: number;
}

/** `onProgress` gets the bytes the channel has taken so far, after each chunk. */
export function uploadSource(archive: UploadArchive, onProgress?: (sent: number) => void): UploadSource {
  return {
    bytes: archive.bytes,
    writeTo: (dest, stop) =>
      archive.bytes <= SHARED_MAX_BYTES ? writeShared(archive, dest, stop, onProgress) : writeChunks(archive.entries, dest, stop, onProgress),
  };
}

async function writeShared(archive: UploadArchive, dest: Writable, stop: AbortSignal, onProgress?: (sent: number) => void): Promise<void> {
  archive.chunks ??= tarChunks(archive.entries).chunks;
  let sent = 0;
  for (const chunk of archive.chunks) {
    // A destination that refused a write or went away: the command's exit says why.
    if (stop.aborted || dest.destroyed) return;
    const taken = await new Promise<boolean>((resolve) => dest.write(chunk, (e) => resolve(!e)));
    if (!taken) return;
    sent += chunk.length;
    uploadedBytes(chunk.length);
    onProgress?.(sent);
  }
  dest.end();
}

async function writeChunks(entries: readonly BuildEntry[], dest: Writable, stop: AbortSignal, onProgress?: (sent: number) => void): Promise<void> {
  const free = Array.from({ length: POOL }, () => Buffer.allocUnsafeSlow(CHUNK_BYTES));
  const owners = new Map(free.map((b) => [b.buffer, b]));
  let sent = 0;
  let refused = false;
  let wake: (() => void) | undefined;
  const onStop = () => wake?.();
  stop.addEventListener('abort', onStop, { once: true });
  try {
    const chunks = generateChunks(entries, () => free.pop()!);
    for (;;) {
      while (free.length === 0 && !refused && !stop.aborted) await new Promise<void>((r) => (wake = r));
      // A destination that refused a write or went away: the command's exit says why.
      if (refused || stop.aborted || dest.destroyed) return;
      const next = chunks.next();
      if (next.done) break;
      const chunk = next.value;
      dest.write(chunk, (e) => {
        if (e) refused = true;
        sent += chunk.length;
        uploadedBytes(chunk.length);
        if (!e) onProgress?.(sent);
        free.push(owners.get(chunk.buffer as ArrayBuffer)!);
        wake?.();
      });
    }
    dest.end();
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}
