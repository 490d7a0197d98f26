import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** A listing of a tree with a hash of every file and the target of every link, to compare before/after. */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(root)) return out;
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      if (st.isSymbolicLink()) out[r] = `link:${readlinkSync(join(root, r))}`;
      else if (st.isDirectory()) {
        out[r] = `dir:${(st.mode & 0o7777).toString(8)}`;
        walk(r);
      } else out[r] = `file:${(st.mode & 0o7777).toString(8)}:${createHash('sha256').update(readFileSync(join(root, r))).digest('hex')}`;
    }
  };
  walk('');
  return out;
}
