// The file-level half of the pipeline: find -> parse -> validate (schema) -> recipes -> file rules.
// Each step returns its problems; the first step that has any ends the load with all of them in
// one ShipyamlError. Stage-level rules run in resolveStage / validateAll.
import path from 'node:path';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { findConfig, PACKAGE_PROP, type FindOptions } from './find.js';
import { checkText, parseText } from './parse.js';
import { problemsError, type KeyPath } from './problems.js';
import { locate, locateProblems } from './locate.js';
import { fileRules } from './rules/file-rules.js';
import { applyRecipes, type RecipeInfo } from './recipes/index.js';
import type { DeployConfig } from './schema-types.js';
import { displayPath, type ConfigSource } from './source.js';
import { validateShape } from './validate.js';
import type { SourceLocation } from '../errors/shipyaml-error.js';

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Its directory: relative paths in the config are resolved against it, not the cwd. */
  dir: string;
  cwd: string;
  /** The config as the schema validated it, recipes merged in (no defaults filled, no stage applied). */
  raw: DeployConfig;
  /** The recipes merged into raw, in the order applied. */
  recipes: RecipeInfo[];
  /** Stage names, in file order. */
  stages: string[];
  /** Text and yaml Document, for file:line:col of any key path. */
  source: ConfigSource;
}

export type LoadOptions = FindOptions;

function emptyError(source: ConfigSource): ShipyamlError {
  return new ShipyamlError('E_CONFIG', `${source.display} is empty`, {
    location: { file: source.display, line: 1, col: 1 },
    hint: 'Write the config (`shipyaml init` writes a commented one), or point at another file with -c FILE.',
  });
}

export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd);
  const found = await findConfig({ ...options, cwd });
  const display = displayPath(found.file, cwd);
  const source: ConfigSource = { file: found.file, display, kind: found.raw?.kind ?? 'yaml', base: [] };
  if (!found.raw) throw emptyError(source);

  let value: unknown = found.raw.value;
  if (found.raw.text !== undefined) {
    const unreadable = checkText(found.raw.text, display);
    if (unreadable.length > 0) throw problemsError(display, unreadable);
    const parsed = parseText(found.raw.text, display);
    if (!parsed.ok) throw problemsError(display, parsed.problems, 'E_YAML', 'syntax error');
    source.text = found.raw.text;
    source.doc = parsed.value.doc;
    source.lineCounter = parsed.value.lineCounter;
    value = parsed.value.value;
    if (source.kind === 'package-json') {
      source.base = [PACKAGE_PROP];
      value = (value as Record<string, unknown>)[PACKAGE_PROP];
    }
  }
  if (value === null || value === undefined) throw emptyError(source);

  const shape = validateShape(value);
  if (!shape.ok) throw problemsError(display, locateProblems(source, shape.problems));
  // Each problem is already located in its own file (a recipe's, or this one).
  const withRecipes = applyRecipes(shape.value, source, cwd);
  if (!withRecipes.ok) throw problemsError(display, withRecipes.problems);
  const raw = withRecipes.value.raw;

  const fileProblems = fileRules(raw);
  if (fileProblems.length > 0) throw problemsError(display, locateProblems(source, fileProblems));

  return { file: found.file, dir: path.dirname(found.file), cwd, raw, recipes: withRecipes.value.recipes, stages: Object.keys(raw.stages), source };
}

/** file:line:col of a key path in a loaded config (the value, or the key with atKey). */
export function locateKey(loaded: LoadedConfig, keyPath: KeyPath, atKey = false): SourceLocation {
  return locate(loaded.source, keyPath, atKey);
}
