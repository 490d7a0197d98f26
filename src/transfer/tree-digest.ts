import { createHash } from 'node:crypto';

// The digest of a whole tree as a server computes it with the md5sum that coreutils and busybox
// ship: `find . -type f -exec md5sum {} + | LC_ALL=C sort | md5sum`. The client predicts the
// exact text, so a release that differs from the build by one byte is never switched to.

export interface FileDigest {
  path: string;
  md5: string;
}

/** md5sum escapes names holding a backslash, newline or CR, and marks such lines with a `\`. */
function md5sumLine({ path, md5 }: FileDigest): string {
  const name = `./${path}`;
  if (!/[\\\n\r]/.test(name)) return `${md5}  ${name}\n`;
  return `\\${md5}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}\n`;
}

export function treeDigest(files: Iterable<FileDigest>): string {
  const lines = [...files].map((f) => Buffer.from(md5sumLine(f)));
  lines.sort(Buffer.compare);
  return createHash('md5').update(Buffer.concat(lines)).digest('hex');
}

/** The server side, as one POSIX sh line; prints "none" where md5sum is missing (sizes still checked). */
export const TREE_DIGEST_SH =
  "if command -v md5sum >/dev/null 2>&1; then find . -type f -exec md5sum {} + | LC_ALL=C sort | md5sum | cut -d ' ' -f 1; else echo none; fi";
