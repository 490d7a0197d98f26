// A recipe from an npm package in the app's own node_modules. The package names its recipes in
// package.json:  "shipyaml": { "recipes": { "php": "recipes/php.yml" }, "default": "php" }
// or exports YAML files ("exports": { "./php": "./recipes/php.yml" }). "@acme/recipes" is the
// package's default recipe, "@acme/recipes/php" one of them.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isInside } from '../paths.js';

/** How deep a node_modules search may walk up: deeper than any real project. */
const MAX_LEVELS = 64;

const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;

export function splitPackageSpec(spec: string): { pkg: string; sub?: string } | undefined {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const pkg = parts.slice(0, n).join('/');
  const sub = parts.slice(n).join('/');
  if (!PACKAGE_NAME.test(pkg) || parts.length < n) return undefined;
  return { pkg, sub: sub === '' ? undefined : sub };
}

/** The package's directory, searched the way Node does: node_modules here, then in each parent. */
function packageDir(pkg: string, fromDir: string): string | undefined {
  let dir = path.resolve(fromDir);
  for (let i = 0; i < MAX_LEVELS; i++) {
    const candidate = path.join(dir, 'node_modules', pkg);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

interface ShipyamlField {
  recipes?: Record<string, unknown>;
  default?: unknown;
}

export type PackageLookup = { ok: true; file: string } | { ok: false; message: string; notFound?: boolean };

const isYaml = (f: string): boolean => /\.ya?ml$/i.test(f);

/** Through package.json "exports" (Node's own resolver), when that leads to a YAML file. */
function viaExports(spec: string, fromDir: string): string | undefined {
  try {
    const file = createRequire(path.join(fromDir, 'package.json')).resolve(spec);
    return isYaml(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

export function findPackageRecipe(spec: string, fromDir: string): PackageLookup {
  const parsed = splitPackageSpec(spec);
  if (!parsed) return { ok: false, notFound: true, message: 'is not a package name' };
  const { pkg, sub } = parsed;
  const dir = packageDir(pkg, fromDir);
  if (!dir) return { ok: false, notFound: true, message: `package ${pkg} is not installed` };

  let manifest: { shipyaml?: ShipyamlField };
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { shipyaml?: ShipyamlField };
  } catch (e) {
    return { ok: false, message: `package ${pkg} has an unreadable package.json (${e instanceof Error ? e.message : String(e)})` };
  }
  const field = manifest.shipyaml;
  const recipes = field && typeof field.recipes === 'object' && field.recipes !== null ? field.recipes : {};
  const names = Object.keys(recipes);
  let name = sub;
  if (name === undefined) {
    if (typeof field?.default === 'string') name = field.default;
    else if (names.length === 1) name = names[0];
  }
  const rel = name === undefined ? undefined : recipes[name];
  if (typeof rel === 'string') return inside(dir, path.resolve(dir, rel), pkg);

  const exported = viaExports(spec, fromDir);
  if (exported) return inside(dir, exported, pkg);
  const listed = names.length ? ` (its recipes: ${names.map((n) => `${pkg}/${n}`).join(', ')})` : '';
  if (name === undefined) {
    return {
      ok: false,
      message: names.length
        ? `package ${pkg} has several recipes and no "shipyaml.default"; name one${listed}`
        : `package ${pkg} names no recipes: its package.json needs "shipyaml": { "recipes": { "NAME": "path/to/recipe.yml" } }`,
    };
  }
  return { ok: false, message: `package ${pkg} has no recipe "${name}"${listed}` };
}

/** A package may only point at its own files. */
function inside(dir: string, file: string, pkg: string): PackageLookup {
  if (!existsSync(file)) return { ok: false, message: `package ${pkg} names ${path.relative(dir, file)}, which does not exist` };
  const real = realpathSync(file);
  if (!isInside(real, realpathSync(dir))) return { ok: false, message: `package ${pkg} names a recipe outside the package (${file})` };
  if (!isYaml(real)) return { ok: false, message: `package ${pkg} names ${path.relative(dir, file)}, which is not a .yml file` };
  return { ok: true, file: real };
}
