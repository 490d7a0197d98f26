import type { BuildEntry } from './scan.js';

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
  pack.on('data', (c: unknown) => {
    if (!Buffer.isBuffer(c)) return;
    chunks.push(c);
    bytes += c.length;
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
  return { chunks, bytes };
}

