// The common cases of finding the config without importing cosmiconfig (with its meta-config
// search, and parse-json with @babel/code-frame for any package.json in the working directory,
// it cost every command more than finding the file does): the config is a YAML or JSON file in
// the start directory, or named with -c. Each function answers undefined when it cannot be sure
// to do exactly what cosmiconfig would do; find.ts then asks cosmiconfig.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isTextLoader, loaderFor, RawSource, type Found } from './loaders.js';

/** cosmiconfig's search skips a place it cannot read for these reasons and tries the next. */
const SKIPPED = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES']);

/** JS configs are run by cosmiconfig; a file named package.* is read for its key, cosmiconfig's way. */
function needsCosmiconfig(file: string): boolean {
  return path.basename(file, path.extname(file)) === 'package' || !isTextLoader(loaderFor(file));
}

/** As cosmiconfig loads it: blank text is an empty config, anything else goes to the loader. */
async function wrap(file: string, content: string): Promise<Found> {
  if (content.trim() === '') return { file, raw: undefined };
  const loaded: unknown = await loaderFor(file)(file, content);
  return { file, raw: loaded instanceof RawSource ? loaded : undefined };
}

/** -c FILE (an existing file of at most MAX_CONFIG_BYTES). */
export async function loadDirect(file: string): Promise<Found | undefined> {
  if (needsCosmiconfig(file)) return undefined;
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch {
    return undefined; // cosmiconfig reports it, as it always has
  }
  return wrap(file, content);
}

/** The search, when the first readable search place of the start directory is a text config. */
export async function searchDirect(start: string, places: readonly string[]): Promise<Found | undefined> {
  for (const place of places) {
    const file = path.join(start, place);
    if (needsCosmiconfig(file)) return undefined;
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (e) {
      if (SKIPPED.has(String((e as NodeJS.ErrnoException).code))) continue;
      return undefined;
    }
    return wrap(file, content);
  }
  return undefined; // not here: the search goes upwards, which is cosmiconfig's job
}
