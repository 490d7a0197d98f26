import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createExcludeMatcher } from './exclude.js';

/** Bytes the build would upload (excludes applied), without reading any file. */
export async function measureBuild(dir: string, exclude: readonly string[]): Promise<number | undefined> {
  const excluded = createExcludeMatcher(exclude);
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const name of await readdir(join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (excluded(r)) continue;
      const st = await lstat(join(dir, r));
      if (st.isDirectory()) await walk(r);
      else if (st.isFile()) total += st.size;
    }
  };
  try {
    await walk('');
    return total;
  } catch {
    return undefined;
  }
}
