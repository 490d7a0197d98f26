// The recipes a config extends, recipes of recipes included, in the order they apply: for
// `extends: [a, b]`, a's own recipes, then a, then b's, then b. A recipe reached twice (two
// recipes share a base) applies once, where first reached. A cycle is a problem that shows the
// chain; so is a chain deeper than any sensible one.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { locate } from '../locate.js';
import type { KeyPath, Problem } from '../problems.js';
import type { DeployConfig } from '../schema-types.js';
import type { ConfigSource } from '../source.js';
import { findRecipe } from './find-recipe.js';
import { readRecipe } from './read-recipe.js';
import type { Recipe, RecipeConfig } from './types.js';

export const MAX_DEPTH = 16;
export const MAX_RECIPES = 64;

interface Frame {
  /** The entry as written in the file before it ("deploy.yml" for the app's own file). */
  label: string;
  file: string;
}

/** Each entry of `extends` with the key path it sits at (a single string has no index). */
export function extendsEntries(value: DeployConfig['extends']): { name: string; path: KeyPath }[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [{ name: value, path: ['extends'] }];
  return value.map((name, i) => ({ name, path: ['extends', i] }));
}

function realFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

export function collectRecipes(raw: RecipeConfig, source: ConfigSource, cwd: string): { recipes: Recipe[]; problems: Problem[] } {
  const recipes: Recipe[] = [];
  const problems: Problem[] = [];
  const applied = new Set<string>();
  const problem = (src: ConfigSource, p: KeyPath, message: string) => problems.push({ path: p, message, location: locate(src, p) });

  const visit = (from: RecipeConfig, src: ConfigSource, stack: Frame[], entryPath: KeyPath | undefined): void => {
    for (const entry of extendsEntries(from.extends)) {
      if (recipes.length >= MAX_RECIPES) {
        problem(src, entry.path, `brings the number of recipes over ${MAX_RECIPES}: that is not a recipe chain anyone can follow`);
        return;
      }
      const found = findRecipe(entry.name, path.dirname(src.file));
      if (!found.ok) {
        problem(src, entry.path, found.message);
        continue;
      }
      const chain = [...stack.map((f) => f.label), entry.name].join(' → ');
      if (stack.some((f) => f.file === found.file)) {
        problem(src, entry.path, `makes a cycle of recipes: ${chain}`);
        continue;
      }
      if (applied.has(found.file)) continue;
      if (stack.length > MAX_DEPTH) {
        problem(src, entry.path, `nests recipes more than ${MAX_DEPTH} deep: ${chain}`);
        continue;
      }
      const read = readRecipe(found.file, cwd);
      if (!read.ok) {
        problems.push(...read.problems);
        continue;
      }
      const top = entryPath ?? entry.path;
      const frame = { label: entry.name, file: found.file };
      visit(read.value.raw, read.value.source, [...stack, frame], top);
      applied.add(found.file);
      recipes.push({
        info: { name: entry.name, kind: found.kind, file: found.file, via: stack.slice(1).map((f) => f.label), entryPath: top },
        source: read.value.source,
        raw: read.value.raw,
      });
    }
  };
  visit(raw, source, [{ label: source.display, file: realFile(source.file) }], undefined);
  return { recipes, problems };
}
