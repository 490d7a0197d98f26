// What the pipeline knows about the file a config came from, kept after loading so that any later
// step (stage rules, template checks in plan/) can turn a key path into file:line:col.
import path from 'node:path';
import type { Document, LineCounter } from 'yaml';
import type { KeyPath } from './problems.js';

export type SourceKind = 'yaml' | 'json' | 'js' | 'package-json';

export interface ConfigSource {
  /** Absolute path of the file. */
  file: string;
  /** The file as messages show it: relative to the working directory when inside it. */
  display: string;
  kind: SourceKind;
  /** The text, for YAML and JSON sources (JS configs are executed, not parsed). */
  text?: string;
  doc?: Document.Parsed;
  lineCounter?: LineCounter;
  /** Where the config sits inside the document: ['shipyaml'] in package.json, [] elsewhere. */
  base: KeyPath;
  /**
   * After recipes are merged (config/recipes/), which file each merged key path came from: a
   * recipe's task or hook is located in the recipe's own file, not in this one.
   */
  origins?: OriginMap;
}

/** A merged key path -> the source and path it was taken from (undefined: this file, same path). */
export interface OriginMap {
  find(path: KeyPath): { source: ConfigSource; path: KeyPath } | undefined;
}

export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
