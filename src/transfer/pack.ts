import type { BuildEntry } from './scan.js';

const COALESCE_BYTES = 256 * 1024;

export interface Packed {
  /** The tar stream's bytes, packed once per distinct content and sent unchanged to each host. */
  chunks: Buffer[];
  bytes: number;
}

/** Packs entries as a POSIX tar stream (tar-stream: no local tar needed, so it runs anywhere Node does). */
export async function packEntries(entries: readonly BuildEntry[]): Promise<Packed> {
  const tarStream = await import('tar-stream');
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  let bytes = 0;
  // tar-stream emits a 512-byte header, the data and the padding of each file separately; sent
  // as they are, every one becomes its own SSH packet (and its own syscall on each side), which
  // cost sshd several times the CPU of the same bytes in full packets. Coalesce to 256 KiB.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pendingBytes === 0) return;
    chunks.push(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  pack.on('data', (c: unknown) => {
    if (!Buffer.isBuffer(c)) return;
    pending.push(c);
    pendingBytes += c.length;
    bytes += c.length;
    if (pendingBytes >= COALESCE_BYTES) flush();
  });
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const header = { name: e.path, mode: e.mode, mtime: e.mtime };
    if (e.type === 'directory') pack.entry({ ...header, type: 'directory' });
    else if (e.type === 'symlink') pack.entry({ ...header, type: 'symlink', linkname: e.linkname });
    else await new Promise<void>((resolve, reject) => pack.entry({ ...header, size: e.data.length }, e.data, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await ended;
  flush();
  return { chunks, bytes };
}

