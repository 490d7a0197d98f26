import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { createExcludeMatcher } from './exclude.js';

export interface PackedBuild {
  /** The tar stream's bytes, packed once and sent unchanged to every host. */
  chunks: Buffer[];
  bytes: number;
  /** Regular files and their total size: what the server verifies after extracting. */
  files: number;
  fileBytes: number;
}

/** Walks the build (excludes applied) in a stable order and packs it as a POSIX tar stream. */
export async function packBuild(buildDir: string, exclude: readonly string[]): Promise<PackedBuild> {
  const tarStream = await import('tar-stream');
  const excluded = createExcludeMatcher(exclude);
  let root;
  try {
    root = await lstat(buildDir);
  } catch {
    throw new ShipyamlError('E_BUILD', `the build directory ${buildDir} does not exist`);
  }
  if (!root.isDirectory()) throw new ShipyamlError('E_BUILD', `the build path ${buildDir} is not a directory`);

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
  let files = 0;
  let fileBytes = 0;

  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(buildDir, rel))).sort();
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      if (excluded(relPath)) continue;
      const abs = join(buildDir, relPath);
      const st = await lstat(abs);
      const header = { name: relPath, mode: st.mode & 0o7777, mtime: st.mtime };
      if (st.isDirectory()) {
        pack.entry({ ...header, type: 'directory' });
        await walk(relPath);
      } else if (st.isSymbolicLink()) {
        pack.entry({ ...header, type: 'symlink', linkname: await readlink(abs) });
      } else if (st.isFile()) {
        const data = await readFile(abs);
        files++;
        fileBytes += data.length;
        await new Promise<void>((resolve, reject) => pack.entry({ ...header, size: data.length }, data, (e) => (e ? reject(e) : resolve())));
      }
      // Sockets, fifos and devices are not part of an app build: skipped.
    }
  };
  await walk('');
  pack.finalize();
  await ended;
  return { chunks, bytes, files, fileBytes };
}

export const packStream = (p: PackedBuild): Readable => Readable.from(p.chunks, { objectMode: false });
