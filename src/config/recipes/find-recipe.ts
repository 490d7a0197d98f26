// An `extends` entry -> the recipe file it names. Three kinds, decided by how the entry is written:
//   ./php.yml, ../shared/php.yml, /abs/php.yml   a file, relative to the file that extends it
//   laravel                                      a built-in recipe (built-ins win over packages)
//   acme-recipes, @acme/recipes, @acme/recipes/php   an npm package in node_modules
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { closest } from '../suggest.js';
import { builtInFile, builtInRecipes } from './built-in.js';
import { findPackageRecipe } from './package-recipe.js';
import type { RecipeKind } from './types.js';

export type Found = { ok: true; kind: RecipeKind; file: string } | { ok: false; message: string };

const isFileSpec = (name: string): boolean => /^\.{1,2}\//.test(name) || path.isAbsolute(name);

function fileRecipe(name: string, fromDir: string): Found {
  const file = path.resolve(fromDir, name);
  if (!existsSync(file)) return { ok: false, message: `names recipe file ${name}, which does not exist (looked for ${file})` };
  if (!statSync(file).isFile()) return { ok: false, message: `names ${name}, which is not a file` };
  return { ok: true, kind: 'file', file: realpathSync(file) };
}

export function findRecipe(name: string, fromDir: string): Found {
  if (isFileSpec(name)) return fileRecipe(name, fromDir);
  const builtIn = builtInFile(name);
  if (builtIn) return { ok: true, kind: 'built-in', file: builtIn };
  const pkg = findPackageRecipe(name, fromDir);
  if (pkg.ok) return { ok: true, kind: 'package', file: pkg.file };
  if (!pkg.notFound) return { ok: false, message: `names recipe "${name}": ${pkg.message}` };

  const builtIns = builtInRecipes();
  const guess = closest(name, builtIns);
  const hint = guess
    ? `; did you mean "${guess}"?`
    : /\.ya?ml$/i.test(name)
      ? `; a file is written with ./ (./${name})`
      : ` (built-in recipes: ${builtIns.join(', ')}; a file is written ./name.yml; a package must be in node_modules)`;
  return { ok: false, message: `names recipe "${name}", which is not a built-in recipe or an installed package${hint}` };
}
