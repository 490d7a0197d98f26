// A recipe file -> its parsed, schema-checked content, with the yaml Document kept so that any
// problem in it (now or in a later rule) points at the recipe's own file:line:col.
import { readFileSync, statSync } from 'node:fs';
import { problemsFromAjv } from '../ajv-messages.js';
import { locateProblems } from '../locate.js';
import { MAX_CONFIG_BYTES, parseText } from '../parse.js';
import { fail, ok, type Problem, type Result } from '../problems.js';
import { recipeErrors } from '../schema-check.js';
import { displayPath, type ConfigSource } from '../source.js';
import type { RecipeConfig } from './types.js';

const APP_ONLY = new Set(['app', 'stages']);

/** ajv's "is not a known key" says nothing useful about app and stages in a recipe. */
function explain(p: Problem): Problem {
  if (p.path.length === 1 && p.atKey && APP_ONLY.has(String(p.path[0]))) {
    return { ...p, message: `belongs to the app's deploy.yml, not to a recipe (a recipe is shared by many apps)` };
  }
  if (p.path.length === 0 && p.message.startsWith('must be a mapping')) return { ...p, message: 'must be a mapping of settings such as "tasks:" and "hooks:"' };
  return p;
}

export function readRecipe(file: string, cwd: string): Result<{ source: ConfigSource; raw: RecipeConfig }> {
  const display = displayPath(file, cwd);
  const source: ConfigSource = { file, display, kind: 'yaml', base: [] };
  const at = (message: string): Result<never> => fail([{ path: [], message, location: { file: display, line: 1, col: 1 } }]);
  let text: string;
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES) return at(`is larger than ${MAX_CONFIG_BYTES / 1024} KB: not a recipe`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return at(`cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = parseText(text, display);
  if (!parsed.ok) return fail(parsed.problems);
  source.text = text;
  source.doc = parsed.value.doc;
  source.lineCounter = parsed.value.lineCounter;
  const value = parsed.value.value ?? {}; // an empty recipe adds nothing, and is no error
  const errors = recipeErrors(value);
  if (errors !== undefined) return fail(locateProblems(source, problemsFromAjv(errors, value).map(explain)));
  return ok({ source, raw: value as RecipeConfig });
}
