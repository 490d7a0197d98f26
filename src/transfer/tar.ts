// A POSIX tar (ustar + pax) writer for the upload stream. Written here rather than through a
// streaming library because the stream is the deploy's hot path: headers are built and files
// read straight into 256 KiB chunks (each chunk one run of full SSH packets), with no copy, and
// the chunks are buffers the caller hands in and reuses (see upload-source.ts).
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
  chunks: Buffer[];
  bytes: number;
}

/** The whole archive of `entries` in memory (tests and small archives); files are read from disk. */
export function tarChunks(entries: readonly BuildEntry[]): TarChunks {
  const chunks = [...generateChunks(entries, () => Buffer.allocUnsafe(CHUNK_BYTES))];
  return { chunks, bytes: archiveBytes(entries) };
}

/**
 * The archive of `entries`, in order, ending with the two zero blocks, as chunks of CHUNK_BYTES
 * (the last one shorter). Each chunk is a view of a buffer from `take`, which is called once
 * before the first chunk and once when the generator resumes after a full one, never more: a
 * caller that reuses buffers needs one free buffer before each next().
 */
export function* generateChunks(entries: readonly BuildEntry[], take: () => Buffer): Generator<Buffer, void, undefined> {
  const out = new ChunkWriter(take);
  for (const e of entries) {
    const mtime = Math.floor(e.mtime.getTime() / 1000);
    if (e.type === 'directory') yield* writeHeader(out, { name: e.path, mode: e.mode, size: 0, mtime, type: '5' });
    else if (e.type === 'symlink') yield* writeHeader(out, { name: e.path, mode: e.mode, size: 0, mtime, type: '2', linkname: e.linkname });
    else {
      yield* writeHeader(out, { name: e.path, mode: e.mode, size: e.size, mtime, type: '0' });
      yield* out.file(e.abs, e.size, e.path);
      yield* out.zeros(padding(e.size));
    }
  }
  yield* out.zeros(2 * BLOCK);
  yield* out.finish();
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
function* writeHeader(out: ChunkWriter, h: Header): Generator<Buffer, void, undefined> {
  const body = paxBody(h);
  if (body) {
    yield* out.bytes(ustarHeader({ name: 'PaxHeader', mode: 0o644, size: body.length, mtime: h.mtime, type: 'x' }, { prefix: '', name: 'PaxHeader' }));
    yield* out.bytes(body);
    yield* out.zeros(padding(body.length));
  }
  yield* out.bytes(ustarHeader(h, splitName(h.name) ?? { prefix: '', name: truncate(h.name, 100) }));
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

/** Two zero blocks: the most padding or trailer written at once. */
const ZEROS = Buffer.alloc(2 * BLOCK);

/** Fills buffers from `take` and yields each one as it becomes full. */
class ChunkWriter {
  private buf: Buffer;
  private used = 0;

  constructor(private readonly take: () => Buffer) {
    this.buf = take();
  }

  *bytes(b: Buffer): Generator<Buffer, void, undefined> {
    let at = 0;
    while (at < b.length) {
      const n = b.copy(this.buf, this.used, at);
      this.used += n;
      at += n;
      if (this.used === CHUNK_BYTES) yield* this.flush();
    }
  }

  /** Exactly `size` bytes of the file, read into the chunks; a file that shrank since the scan is an error. */
  *file(abs: string, size: number, path: string): Generator<Buffer, void, undefined> {
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
        if (this.used === CHUNK_BYTES) yield* this.flush();
      }
    } finally {
      closeSync(fd);
    }
  }

  *zeros(n: number): Generator<Buffer, void, undefined> {
    if (n > 0) yield* this.bytes(ZEROS.subarray(0, n));
  }

  /** The last, partial chunk; nothing may be written after. */
  *finish(): Generator<Buffer, void, undefined> {
    if (this.used > 0) yield this.buf.subarray(0, this.used);
  }

  private *flush(): Generator<Buffer, void, undefined> {
    const full = this.buf.subarray(0, this.used);
    this.used = 0;
    yield full;
    this.buf = this.take();
  }
}
