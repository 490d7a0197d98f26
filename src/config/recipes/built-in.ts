// The recipes that ship with shipyaml: src/recipes/*.yml, copied to dist/recipes/ by the build
// (see package-files.ts for how they are found from src/, dist/ and an installed package).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { builtInRecipesDir } from '../../package-files.js';

let names: string[] | undefined;

/** laravel, node, static… in alphabetical order. */
export function builtInRecipes(): string[] {
  const dir = builtInRecipesDir();
  names ??= existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yml'))
        .map((f) => f.slice(0, -'.yml'.length))
        .sort()
    : [];
  return names;
}

export function builtInFile(name: string): string | undefined {
  return builtInRecipes().includes(name) ? path.join(builtInRecipesDir(), `${name}.yml`) : undefined;
}
