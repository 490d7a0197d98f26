// The recipes that ship with shipyaml: src/recipes/*.yml, copied to dist/recipes/ by the build.
// Found relative to this module, so it works from src/ (tests), dist/ and an installed package.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILT_IN_DIR = fileURLToPath(new URL('../../recipes/', import.meta.url));

let names: string[] | undefined;

/** laravel, node, static… in alphabetical order. */
export function builtInRecipes(): string[] {
  names ??= existsSync(BUILT_IN_DIR)
    ? readdirSync(BUILT_IN_DIR)
        .filter((f) => f.endsWith('.yml'))
        .map((f) => f.slice(0, -'.yml'.length))
        .sort()
    : [];
  return names;
}

export function builtInFile(name: string): string | undefined {
  return builtInRecipes().includes(name) ? path.join(BUILT_IN_DIR, `${name}.yml`) : undefined;
}
