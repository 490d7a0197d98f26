// A POSIX tar (ustar + pax) writer for the upload stream. Written here rather than through a
// streaming library because the stream is the deploy's hot path: headers are built and files
// read straight into 256 KiB chunks (each chunk one run of full SSH packets), with no copy.
import { closeSync, openSync, readSync } from 'node:fs';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import type { BuildEntry } from './scan.js';

const BLOCK = 512;
export const CHUNK_BYTES = 256 * 1024;
/** ustar's 11 octal digits of size: 8 GiB - 1. Larger needs a pax size record. */
const USTAR_MAX_SIZE = 0o77777777777;

type TypeFlag = '0' | '2' | '5' | 'x';

interface Header {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  type: TypeFlag;
  linkname?: string;
}

export interface TarChunks {
  /** The archive as buffers to write in order; shared between hosts that need the same bytes. */
  chunks: Buffer[];
  bytes: number;
}

/** The archive of `entries`, in order, ending with the two zero blocks; files are read from disk. */
export function tarChunks(entries: readonly BuildEntry[]): TarChunks {
  const pack = new TarPack(entries);
  const chunks: Buffer[] = [];
  for (let c; (c = pack.chunk(chunks.length)); ) chunks.push(c);
  return { chunks, bytes: pack.bytes };
}

/**
 * The archive made as it is read: chunk(i) packs only as far as chunk i, so packing overlaps
 * with sending instead of preceding it. Chunks are kept once made, for the other hosts that are
 * sent the same archive. `bytes` is known before anything is read (the progress total).
 */
export class TarPack {
  readonly bytes: number;
  private readonly made: Buffer[] = [];
  private readonly gen: Generator<Buffer[], void>;
  private done = false;

  constructor(entries: readonly BuildEntry[]) {
    this.bytes = archiveBytes(entries);
    this.gen = generateChunks(entries);
  }

  chunk(i: number): Buffer | undefined {
    while (this.made.length <= i && !this.done) {
      const next = this.gen.next();
      if (next.done) this.done = true;
      else this.made.push(...next.value);
    }
    return this.made[i];
  }
}

/** Yields the chunks completed by each entry (often none: small files share a chunk). */
function* generateChunks(entries: readonly BuildEntry[]): Generator<Buffer[], void> {
  const out = new ChunkWriter();
  for (const e of entries) {
    const mtime = Math.floor(e.mtime.getTime() / 1000);
    if (e.type === 'directory') writeHeader(out, { name: e.path, mode: e.mode, size: 0, mtime, type: '5' });
    else if (e.type === 'symlink') writeHeader(out, { name: e.path, mode: e.mode, size: 0, mtime, type: '2', linkname: e.linkname });
    else {
      writeHeader(out, { name: e.path, mode: e.mode, size: e.size, mtime, type: '0' });
      out.file(e.abs, e.size, e.path);
      out.zeros(padding(e.size));
    }
    const ready = out.take();
    if (ready.length) yield ready;
  }
  out.zeros(2 * BLOCK);
  yield out.finish();
}

/** The archive's size from the entries alone: headers (with pax records where needed) and padded contents. */
export function archiveBytes(entries: readonly BuildEntry[]): number {
  let n = 2 * BLOCK;
  for (const e of entries) {
    const size = e.type === 'file' ? e.size : 0;
    const pax = paxBody({ name: e.path, size, linkname: e.type === 'symlink' ? e.linkname : undefined });
    n += BLOCK + (pax ? BLOCK + pax.length + padding(pax.length) : 0) + size + padding(size);
  }
  return n;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** A header, preceded by a pax record where ustar's fields cannot hold the name, link or size. */
function writeHeader(out: ChunkWriter, h: Header): void {
  const body = paxBody(h);
  if (body) {
    out.bytes(ustarHeader({ name: 'PaxHeader', mode: 0o644, size: body.length, mtime: h.mtime, type: 'x' }, { prefix: '', name: 'PaxHeader' }));
    out.bytes(body);
    out.zeros(padding(body.length));
  }
  out.bytes(ustarHeader(h, splitName(h.name) ?? { prefix: '', name: truncate(h.name, 100) }));
}

function paxBody(h: Pick<Header, 'name' | 'size' | 'linkname'>): Buffer | undefined {
  const pax: [string, string][] = [];
  if (!splitName(h.name)) pax.push(['path', h.name]);
  if (h.linkname !== undefined && Buffer.byteLength(h.linkname) > 100) pax.push(['linkpath', h.linkname]);
  if (h.size > USTAR_MAX_SIZE) pax.push(['size', String(h.size)]);
  return pax.length ? Buffer.from(pax.map(([k, v]) => paxRecord(k, v)).join('')) : undefined;
}

/** "LEN key=value\n", where LEN counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return `${len} ${key}=${value}\n`;
}

/** ustar keeps names up to 100 bytes, or prefix (≤155) + "/" + name (≤100) split at a slash. */
function splitName(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) > 155) break;
    if (name && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  return undefined;
}

/** A stand-in for readers without pax: whole UTF-8 characters only. */
function truncate(s: string, bytes: number): string {
  const b = Buffer.from(s);
  if (b.length <= bytes) return s;
  return b.subarray(0, bytes).toString('utf8').replace(/\uFFFD+$/, '');
}

function ustarHeader(h: Header, n: { prefix: string; name: string }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(n.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode & 0o7777);
  octal(b, 108, 8, 0); // uid, gid: the server extracts with -o, as the deploy user
  octal(b, 116, 8, 0);
  octal(b, 124, 12, h.size > USTAR_MAX_SIZE ? 0 : h.size);
  octal(b, 136, 12, Math.max(0, Math.min(h.mtime, 0o77777777777)));
  b.write(h.type, 156, 1, 'latin1');
  if (h.linkname !== undefined) b.write(truncate(h.linkname, 100), 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'latin1');
  b.write(n.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return b;
}

/** A NUL-terminated octal field, as every tar reader expects. */
function octal(b: Buffer, at: number, width: number, value: number): void {
  b.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, at, width, 'latin1');
}

/** Collects the archive into CHUNK_BYTES buffers. */
class ChunkWriter {
  private readonly chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  bytes(b: Buffer): void {
    let at = 0;
    while (at < b.length) {
      const n = b.copy(this.buf, this.used, at);
      this.used += n;
      at += n;
      if (this.used === CHUNK_BYTES) this.flush();
    }
  }

  /** Exactly `size` bytes of the file, read into the chunks; a file that shrank since the scan is an error. */
  file(abs: string, size: number, path: string): void {
    const fd = openSync(abs, 'r');
    try {
      for (let left = size; left > 0; ) {
        const n = readSync(fd, this.buf, this.used, Math.min(left, CHUNK_BYTES - this.used), null);
        if (n === 0) {
          throw new ShipyamlError('E_BUILD', `${path} changed while it was being uploaded (it was ${size} bytes, now shorter)`, {
            hint: 'Finish the build before deploying; nothing was switched.',
          });
        }
        left -= n;
        this.used += n;
        if (this.used === CHUNK_BYTES) this.flush();
      }
    } finally {
      closeSync(fd);
    }
  }

  zeros(n: number): void {
    if (n > 0) this.bytes(Buffer.alloc(n));
  }

  /** The chunks completed so far, handed over (not kept here). */
  take(): Buffer[] {
    return this.chunks.splice(0);
  }

  /** The last chunks, the partial one included; nothing may be written after. */
  finish(): Buffer[] {
    this.flush();
    return this.take();
  }

  private flush(): void {
    if (this.used > 0) this.chunks.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }
}
