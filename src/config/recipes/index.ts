// The recipe step of the config pipeline (DESIGN §5: find -> parse -> resolve recipes -> …):
// the app's file, already schema-checked, with every recipe it extends merged under it. Problems
// carry their own locations: each in the file (recipe or app) it was found in.
import type { Problem, Result } from '../problems.js';
import { fail, ok } from '../problems.js';
import type { DeployConfig } from '../schema-types.js';
import type { ConfigSource } from '../source.js';
import { collectRecipes } from './collect.js';
import { mergeLayers } from './merge.js';
import type { RecipeInfo } from './types.js';

export interface WithRecipes {
  /** The merged config: recipes applied, `extends` consumed. */
  raw: DeployConfig;
  /** In the order applied. */
  recipes: RecipeInfo[];
}

/**
 * Sets source.origins, so that locate() finds a merged key in the file it came from. The file's
 * own layer gets a copy of its source without origins (a merged path maps to itself there).
 */
export function applyRecipes(raw: DeployConfig, source: ConfigSource, cwd: string): Result<WithRecipes> {
  const collected = collectRecipes(raw, source, cwd);
  if (collected.problems.length > 0) return fail(collected.problems);
  const self: ConfigSource = { ...source, origins: undefined };
  const merged = mergeLayers(
    collected.recipes.map((r) => ({ raw: r.raw, source: r.source, recipe: r.info })),
    { raw, source: self },
  );
  const problems: Problem[] = merged.problems;
  if (problems.length > 0) return fail(problems);
  source.origins = merged.origins;
  return ok({ raw: merged.config, recipes: collected.recipes.map((r) => r.info) });
}

export { builtInRecipes } from './built-in.js';
export type { RecipeInfo } from './types.js';
