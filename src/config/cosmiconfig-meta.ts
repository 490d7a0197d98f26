// cosmiconfig reads a "meta config" from the process's working directory (a `cosmiconfig` key in
// package.json, or package.yaml / .config/config.*) that can change how every tool using it
// searches. find-direct.ts may skip cosmiconfig only where it would behave as without one; this
// says, conservatively, whether one may be there (the list is cosmiconfig 9's metaSearchPlaces).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Meta config places other than package.json: any of them existing means "may apply". */
const OTHER_META_PLACES = [
  'package.yaml',
  '.config/config.json',
  '.config/config.yaml',
  '.config/config.yml',
  '.config/config.js',
  '.config/config.ts',
  '.config/config.cjs',
  '.config/config.mjs',
];

/** package.json counts unless it is a JSON mapping without a `cosmiconfig` key (empty or broken JSON also count: cosmiconfig treats them specially). */
function packageJsonMayApply(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  try {
    const pkg: unknown = JSON.parse(text);
    return pkg === null || typeof pkg !== 'object' || Object.hasOwn(pkg, 'cosmiconfig');
  } catch {
    return true;
  }
}

function processCwd(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined; // a deleted working directory: cosmiconfig fails on it, as it always has
  }
}

/** dir: where cosmiconfig looks, the process's working directory (a parameter for tests). */
export function metaConfigMayApply(dir: string | undefined = processCwd()): boolean {
  if (dir === undefined) return true;
  if (packageJsonMayApply(path.join(dir, 'package.json'))) return true;
  return OTHER_META_PLACES.some((place) => existsSync(path.join(dir, place)));
}
