// src/package-files.ts as vitest runs it, from src/. The built CLI finds the same files from
// dist/ (its tests run it, and test/cli/package.test.ts runs an installed copy).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtInRecipesDir, deploySchemaFile, packageVersion, scanWorkerFile } from '../../src/package-files.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('package files, running from src/', () => {
  it('reads the version from the package root', () => {
    expect(packageVersion()).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('finds the schema at the package root and the recipes in src/recipes', () => {
    expect(deploySchemaFile()).toBe(path.join(ROOT, 'schema', 'deploy.schema.json'));
    expect(existsSync(deploySchemaFile())).toBe(true);
    expect(builtInRecipesDir()).toBe(path.join(ROOT, 'src', 'recipes'));
    expect(existsSync(path.join(builtInRecipesDir(), 'laravel.yml'))).toBe(true);
  });

  it('has no worker to start, even with a built dist/ beside it, so the build scan runs inline', () => {
    expect(scanWorkerFile()).toBeUndefined();
  });
});
