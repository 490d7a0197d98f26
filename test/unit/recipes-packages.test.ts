// Recipes from npm packages in the app's node_modules: how a name picks a file, and what is said
// when it cannot. Packages are written as plain directories, as npm would leave them.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveStage } from '../../src/config/index.js';
import { findPackageRecipe, splitPackageSpec } from '../../src/config/recipes/package-recipe.js';
import { project } from '../fixtures/config/project.js';

const pkgJson = (name: string, extra: object = {}) => JSON.stringify({ name, version: '1.0.0', ...extra });
const STAGES = 'stages:\n  production:\n    hosts: [web1]\n';

describe('package names', () => {
  it.each([
    ['acme-recipes', { pkg: 'acme-recipes', sub: undefined }],
    ['acme-recipes/php', { pkg: 'acme-recipes', sub: 'php' }],
    ['@acme/recipes', { pkg: '@acme/recipes', sub: undefined }],
    ['@acme/recipes/php', { pkg: '@acme/recipes', sub: 'php' }],
    ['@acme/recipes/php/fpm', { pkg: '@acme/recipes', sub: 'php/fpm' }],
    ['@acme', undefined],
    ['Acme', undefined],
  ])('%s', (spec, expected) => {
    expect(splitPackageSpec(spec)).toEqual(expected);
  });
});

describe('a recipe from a package', () => {
  it('the shipyaml field: a named recipe, the default, or the only one', async () => {
    const dir = await project({
      'node_modules/@acme/recipes/package.json': pkgJson('@acme/recipes', { shipyaml: { recipes: { php: 'r/php.yml', node: 'r/node.yml' }, default: 'node' } }),
      'node_modules/@acme/recipes/r/php.yml': 'keep_releases: 2\n',
      'node_modules/@acme/recipes/r/node.yml': 'keep_releases: 3\n',
      'node_modules/solo/package.json': pkgJson('solo', { shipyaml: { recipes: { only: 'only.yml' } } }),
      'node_modules/solo/only.yml': 'keep_releases: 4\n',
    });
    const file = (spec: string) => {
      const r = findPackageRecipe(spec, dir);
      return r.ok ? path.relative(dir, r.file) : r.message;
    };
    expect(file('@acme/recipes/php')).toBe('node_modules/@acme/recipes/r/php.yml');
    expect(file('@acme/recipes')).toBe('node_modules/@acme/recipes/r/node.yml');
    expect(file('solo')).toBe('node_modules/solo/only.yml');
    expect(file('@acme/recipes/go')).toBe('package @acme/recipes has no recipe "go" (its recipes: @acme/recipes/php, @acme/recipes/node)');
  });

  it('package.json exports that lead to YAML, when there is no shipyaml field', async () => {
    const dir = await project({
      'node_modules/exported/package.json': pkgJson('exported', { exports: { './php': './recipes/php.yml', './code': './index.js' } }),
      'node_modules/exported/recipes/php.yml': 'keep_releases: 2\n',
      'node_modules/exported/index.js': '',
    });
    const php = findPackageRecipe('exported/php', dir);
    expect(php.ok && path.relative(dir, php.file)).toBe('node_modules/exported/recipes/php.yml');
    expect(findPackageRecipe('exported/code', dir)).toEqual({ ok: false, message: 'package exported has no recipe "code"' });
  });

  it('is found in a parent directory\'s node_modules (a monorepo), and from a recipe\'s own location', async () => {
    const dir = await project({
      'node_modules/base-recipes/package.json': pkgJson('base-recipes', { shipyaml: { recipes: { base: 'base.yml' } } }),
      'node_modules/base-recipes/base.yml': 'deploy_to: /srv/base\nkeep_releases: 7\n',
      'node_modules/@acme/recipes/package.json': pkgJson('@acme/recipes', { shipyaml: { recipes: { php: 'php.yml' } } }),
      'node_modules/@acme/recipes/php.yml': 'extends: [base-recipes]\nparallel: 2\n',
      'apps/shop/deploy.yml': `app: shop\nextends: ["@acme/recipes"]\n${STAGES}`,
    });
    const loaded = await loadConfig({ cwd: path.join(dir, 'apps/shop'), stopDir: path.join(dir, 'apps/shop') });
    expect(loaded.recipes.map((r) => [r.name, r.kind, r.via])).toEqual([
      ['base-recipes', 'package', ['@acme/recipes']],
      ['@acme/recipes', 'package', []],
    ]);
    const s = resolveStage(loaded, 'production', { env: {} });
    expect([s.hosts[0]!.deployTo, s.keepReleases, s.parallel]).toEqual(['/srv/base', 7, 2]);
  });

  it('refuses what is not a recipe: several without a default, none named, a file outside the package, not YAML, missing', async () => {
    const dir = await project({
      'node_modules/two/package.json': pkgJson('two', { shipyaml: { recipes: { a: 'a.yml', b: 'b.yml' } } }),
      'node_modules/none/package.json': pkgJson('none'),
      'node_modules/escape/package.json': pkgJson('escape', { shipyaml: { recipes: { x: '../../secret.yml' } } }),
      'secret.yml': 'keep_releases: 1\n',
      'node_modules/notyaml/package.json': pkgJson('notyaml', { shipyaml: { recipes: { x: 'index.js' } } }),
      'node_modules/notyaml/index.js': '',
      'node_modules/gone/package.json': pkgJson('gone', { shipyaml: { recipes: { x: 'x.yml' } } }),
    });
    const message = (spec: string) => {
      const r = findPackageRecipe(spec, dir);
      return r.ok ? 'found' : r.message.replace(dir, 'DIR');
    };
    expect(message('two')).toBe('package two has several recipes and no "shipyaml.default"; name one (its recipes: two/a, two/b)');
    expect(message('none')).toBe('package none names no recipes: its package.json needs "shipyaml": { "recipes": { "NAME": "path/to/recipe.yml" } }');
    expect(message('escape')).toBe('package escape names a recipe outside the package (DIR/secret.yml)');
    expect(message('notyaml')).toBe('package notyaml names index.js, which is not a .yml file');
    expect(message('gone')).toBe('package gone names x.yml, which does not exist');
    expect(message('not-installed')).toBe('package not-installed is not installed');
  });

  it('an installed package error is reported at the app\'s extends entry', async () => {
    const dir = await project({
      'node_modules/two/package.json': pkgJson('two', { shipyaml: { recipes: { a: 'a.yml', b: 'b.yml' } } }),
      'deploy.yml': `app: demo\nextends:\n  - two\n${STAGES}`,
    });
    await expect(loadConfig({ cwd: dir, stopDir: dir })).rejects.toMatchObject({
      details: ['deploy.yml:3:5 extends[0] names recipe "two": package two has several recipes and no "shipyaml.default"; name one (its recipes: two/a, two/b)'],
    });
  });
});
