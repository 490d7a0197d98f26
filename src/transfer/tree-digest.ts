import { createHash } from 'node:crypto';

// The digest of a whole tree as the server's listing of it reads (plan/cache-listing.ts): one
// md5sum line per file (as coreutils and busybox print them), `D ./dir` per directory and
// `L ./link` per symlink, sorted as LC_ALL=C sort does, then md5. The client predicts the exact
// text, so a release that differs from the build by one byte, one directory or one link is
// never switched to.

export type TreeEntry = { type: 'file'; path: string; md5: string } | { type: 'directory' | 'symlink'; path: string };

/** md5sum escapes names holding a backslash, newline or CR, and marks such lines with a `\`. */
function md5sumLine(path: string, md5: string): string {
  const name = `./${path}`;
  if (!/[\\\n\r]/.test(name)) return `${md5}  ${name}\n`;
  return `\\${md5}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}\n`;
}

export function treeLine(e: TreeEntry): string {
  if (e.type === 'file') return md5sumLine(e.path, e.md5);
  return `${e.type === 'directory' ? 'D' : 'L'} ./${e.path}\n`;
}

export function treeDigest(entries: Iterable<TreeEntry>): string {
  const lines = [...entries].map((e) => Buffer.from(treeLine(e)));
  lines.sort(Buffer.compare);
  return createHash('md5').update(Buffer.concat(lines)).digest('hex');
}
