// Where shipyaml's own files are at run time: its package.json, the schema, the built-in recipes
// and the build-scan worker. The same code runs from src/ (vitest) and from the bundles in dist/
// (scripts/bundle.mjs: dist/cli/main.cjs, dist/cli/start.cjs, dist/transfer/scan-worker.js):
// paths relative to this module would differ in each. So every path starts from the package
// root, found once as the nearest directory above this module with a package.json.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageLayout {
  /** The directory of shipyaml's package.json. */
  root: string;
  /** The tree this code runs from, root/src or root/dist: recipes/ and transfer/ are inside it. */
  codeDir: string;
  version: string;
}

let layout: PackageLayout | undefined;

function packageLayout(): PackageLayout {
  if (layout) return layout;
  const here = fileURLToPath(import.meta.url);
  let root = path.dirname(here);
  while (!existsSync(path.join(root, 'package.json'))) {
    const parent = path.dirname(root);
    if (parent === root) throw new Error(`shipyaml: no package.json above ${here}`);
    root = parent;
  }
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name?: string; version: string };
  // A copy of the code inside another package would read that package's files: fail loudly.
  if (pkg.name !== 'shipyaml') throw new Error(`shipyaml: ${here} is not inside the shipyaml package (${root}/package.json is ${pkg.name ?? 'unnamed'})`);
  const top = path.relative(root, here).split(path.sep)[0]!;
  layout = { root, codeDir: path.join(root, top), version: pkg.version };
  return layout;
}

export function packageVersion(): string {
  return packageLayout().version;
}

/** schema/deploy.schema.json: at the package root, where editors find it too. */
export function deploySchemaFile(): string {
  return path.join(packageLayout().root, 'schema', 'deploy.schema.json');
}

/** src/recipes/ from the sources, dist/recipes/ (copied by scripts/copy-assets.mjs) when built. */
export function builtInRecipesDir(): string {
  return path.join(packageLayout().codeDir, 'recipes');
}

/**
 * The build-scan worker, dist/transfer/scan-worker.js (its own entry in the bundle). Undefined
 * when running from src/, where there is only scan-worker.ts, which a worker thread cannot load.
 */
export function scanWorkerFile(): string | undefined {
  const { codeDir } = packageLayout();
  return path.basename(codeDir) === 'src' ? undefined : path.join(codeDir, 'transfer', 'scan-worker.js');
}
