// What the recipe step knows about each recipe it applied.
import type { KeyPath } from '../problems.js';
import type { DeployConfig } from '../schema-types.js';
import type { ConfigSource } from '../source.js';

/** A recipe file: the keys of deploy.yml except the app's own (app, stages). */
export type RecipeConfig = Omit<DeployConfig, 'app' | 'stages'>;

export type RecipeKind = 'built-in' | 'file' | 'package';

export interface RecipeInfo {
  /** As written in `extends` ("laravel", "./recipes/php.yml", "@acme/recipes/php"). */
  name: string;
  kind: RecipeKind;
  /** Absolute path of the YAML file. */
  file: string;
  /** The recipes that brought this one in, outermost first (empty: named by the app's file). */
  via: string[];
  /** The entry of the app's own `extends` that led here, for problems the app must fix. */
  entryPath: KeyPath;
}

export interface Recipe {
  info: RecipeInfo;
  source: ConfigSource;
  raw: RecipeConfig;
}
