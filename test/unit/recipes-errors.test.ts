// Problems in recipes: each reported at the file:line:col where it has to be fixed — in the
// recipe's own file for the recipe's mistakes, in the app's file for what the app must do.
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveStage, validateAll, type ResolveOptions } from '../../src/config/index.js';
import { project } from '../fixtures/config/project.js';

const STAGES = 'stages:\n  production:\n    hosts: [web1]\n';

/** Problem lines of a project: loading, then every stage (or the one given). */
async function problems(files: Record<string, string>, stage?: string, options: ResolveOptions = {}): Promise<string[]> {
  const dir = await project(files);
  try {
    const loaded = await loadConfig({ cwd: dir, stopDir: dir });
    if (stage) resolveStage(loaded, stage, { env: {}, ...options });
    else validateAll(loaded, { env: {}, ...options });
  } catch (e) {
    const err = e as { details: string[]; message: string };
    return err.details.length ? err.details : [err.message];
  }
  return [];
}

describe('recipe chains', () => {
  it('a cycle is reported where it closes, with the whole chain', async () => {
    expect(
      await problems({
        'deploy.yml': `app: demo\nextends: [./recipes/a.yml]\ndeploy_to: /srv/x\n${STAGES}`,
        'recipes/a.yml': 'extends: [./b.yml]\n',
        'recipes/b.yml': 'tasks: { x: "true" }\nextends: [./a.yml]\n',
      }),
    ).toEqual(['recipes/b.yml:2:11 extends[0] makes a cycle of recipes: deploy.yml → ./recipes/a.yml → ./b.yml → ./a.yml']);
  });

  it('a recipe that extends itself, or the app\'s file, is a cycle too', async () => {
    expect(await problems({ 'deploy.yml': `app: demo\nextends: ./self.yml\n${STAGES}`, 'self.yml': 'extends: ./self.yml\n' })).toEqual([
      'self.yml:1:10 extends makes a cycle of recipes: deploy.yml → ./self.yml → ./self.yml',
    ]);
    expect(await problems({ 'deploy.yml': `app: demo\nextends: ./deploy.yml\n${STAGES}` })).toEqual([
      'deploy.yml:2:10 extends makes a cycle of recipes: deploy.yml → ./deploy.yml',
    ]);
  });

  it('a recipe file that does not exist, and a misspelt built-in', async () => {
    const lines = await problems({ 'deploy.yml': `app: demo\nextends: [./nope.yml, statik, recipes/php.yml]\n${STAGES}` });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^deploy\.yml:2:11 extends\[0\] names recipe file \.\/nope\.yml, which does not exist \(looked for \/.*\/nope\.yml\)$/);
    expect(lines[1]).toBe('deploy.yml:2:23 extends[1] names recipe "statik", which is not a built-in recipe or an installed package; did you mean "static"?');
    expect(lines[2]).toBe('deploy.yml:2:31 extends[2] names recipe "recipes/php.yml", which is not a built-in recipe or an installed package; a file is written with ./ (./recipes/php.yml)');
  });
});

describe('a recipe is checked against the schema, in its own file', () => {
  it('a wrong value and an unknown key point into the recipe', async () => {
    expect(
      await problems({
        'deploy.yml': `app: demo\nextends: [./php.yml]\ndeploy_to: /srv/x\n${STAGES}`,
        'php.yml': '# a recipe\ntasks:\n  migrate: { run: "php artisan migrate", once: "yes" }\nhoks: {}\n',
      }),
    ).toEqual([
      'php.yml:3:48 tasks.migrate.once must be true or false (found "yes")',
      'php.yml:4:1 hoks is not a known key; did you mean "hooks"?',
    ]);
  });

  it('app and stages belong to the app, not to a recipe', async () => {
    expect(await problems({ 'deploy.yml': `app: demo\nextends: [./r.yml]\ndeploy_to: /srv/x\n${STAGES}`, 'r.yml': `app: other\n${STAGES}` })).toEqual([
      "r.yml:1:1 app belongs to the app's deploy.yml, not to a recipe (a recipe is shared by many apps)",
      "r.yml:2:1 stages belongs to the app's deploy.yml, not to a recipe (a recipe is shared by many apps)",
    ]);
  });

  it('YAML syntax errors in a recipe are reported in the recipe', async () => {
    const lines = await problems({ 'deploy.yml': `app: demo\nextends: [./r.yml]\n${STAGES}`, 'r.yml': 'tasks:\n  a: x\n  a: y\n' });
    expect(lines).toEqual(['r.yml:3:3 Map keys must be unique']);
  });

  it('an unknown name in a recipe\'s task is found by validate, at the recipe\'s line', async () => {
    expect(
      await problems({
        'deploy.yml': `app: demo\nextends: [./r.yml]\ndeploy_to: /srv/x\n${STAGES}`,
        'r.yml': 'tasks:\n  reload:\n    run: sudo systemctl reload {{php_fmp}}\nhooks: { after_switch: [reload] }\n',
      }),
    ).toEqual(['r.yml:3:10 tasks.reload.run uses unknown name "php_fmp"']);
  });

  it('a hook in a recipe naming a task nobody defines points at the recipe\'s entry', async () => {
    expect(
      await problems({
        'deploy.yml': `app: demo\nextends: [./r.yml]\ndeploy_to: /srv/x\ntasks: { one: "true" }\nhooks: { after_switch: [one] }\n${STAGES}`,
        'r.yml': 'hooks:\n  after_switch: [reload]\n',
      }),
    ).toEqual(['r.yml:2:18 hooks.after_switch[0] names a task that does not exist (tasks: one) (found "reload")']);
  });
});

describe('vars a recipe needs', () => {
  const recipe = 'vars:\n  php_fpm:\n    description: the PHP-FPM service to reload, e.g. php8.3-fpm\n    required: true\ntasks:\n  reload: sudo systemctl reload {{php_fpm}}\n';
  const needs =
    'deploy.yml:2:11 extends[0] recipe "./php.yml" needs var php_fpm (the PHP-FPM service to reload, e.g. php8.3-fpm): set it under vars: in this file, or give --var php_fpm=VALUE';

  it('a missing required var is a validation error naming the recipe, at the app\'s extends entry', async () => {
    expect(await problems({ 'deploy.yml': `app: demo\nextends: [./php.yml]\ndeploy_to: /srv/x\n${STAGES}`, 'php.yml': recipe })).toEqual([needs]);
  });

  it('also when validating one stage', async () => {
    expect(await problems({ 'deploy.yml': `app: demo\nextends: [./php.yml]\ndeploy_to: /srv/x\n${STAGES}`, 'php.yml': recipe }, 'production')).toEqual([needs]);
  });

  it('is satisfied by the file, by a stage, by an env var mapping, or by --var', async () => {
    const base = { 'php.yml': recipe };
    const head = 'app: demo\nextends: [./php.yml]\ndeploy_to: /srv/x\n';
    expect(await problems({ ...base, 'deploy.yml': `${head}vars: { php_fpm: php8.3-fpm }\n${STAGES}` })).toEqual([]);
    expect(await problems({ ...base, 'deploy.yml': `${head}stages:\n  production:\n    hosts: [web1]\n    vars: { php_fpm: php8.2-fpm }\n` })).toEqual([]);
    expect(await problems({ ...base, 'deploy.yml': `${head}vars: { php_fpm: { env: PHP_FPM } }\n${STAGES}` })).toEqual([]);
    expect(await problems({ ...base, 'deploy.yml': `${head}${STAGES}` }, 'production', { vars: { php_fpm: 'php8.1-fpm' } })).toEqual([]);
  });

  it('names the hosts that lack it when only some do', async () => {
    const yaml = `app: demo\nextends: [./php.yml]\ndeploy_to: /srv/x\nstages:\n  production:\n    hosts: [web1, { host: web2, vars: { php_fpm: php8.3-fpm } }]\n`;
    const [line] = await problems({ 'php.yml': recipe, 'deploy.yml': yaml });
    expect(line).toContain('needs var php_fpm (the PHP-FPM service to reload, e.g. php8.3-fpm) for host web1:');
  });

  it('a var needed by a recipe of a recipe names both', async () => {
    expect(
      await problems({
        'php.yml': recipe,
        'app-recipe.yml': 'extends: [./php.yml]\n',
        'deploy.yml': `app: demo\nextends: [./app-recipe.yml]\ndeploy_to: /srv/x\n${STAGES}`,
      }),
    ).toEqual([
      'deploy.yml:2:11 extends[0] recipe "./php.yml" (extended by "./app-recipe.yml") needs var php_fpm (the PHP-FPM service to reload, e.g. php8.3-fpm): set it under vars: in this file, or give --var php_fpm=VALUE',
    ]);
  });

  it('the built-in laravel recipe needs php_fpm', async () => {
    const lines = await problems({ 'deploy.yml': `app: demo\nextends: [laravel]\ndeploy_to: /srv/x\n${STAGES}` });
    expect(lines).toEqual([
      'deploy.yml:2:11 extends[0] recipe "laravel" needs var php_fpm (the PHP-FPM service reloaded after a switch and a rollback, e.g. php8.3-fpm): set it under vars: in this file, or give --var php_fpm=VALUE',
    ]);
  });
});

describe('hook entries and git settings', () => {
  it.each([
    ['a hook entry that is no task name', 'hooks: { after_switch: ["re load"] }', 'deploy.yml:3:25 hooks.after_switch[0] must be a task name (letters, digits and _), or "!name" to remove a task a recipe runs at this hook (found "re load")'],
    ['"!name" left unquoted reads as a YAML tag', 'hooks: { after_switch: [!reload] }', 'deploy.yml:3:25 Unresolved tag: !reload'],
    ['a git ref that git would read as an option', 'source: { git: { repo: "/srv/repo.git", ref: "--upload-pack=x" } }', 'deploy.yml:3:46 source.git.ref must not start with "-" (git would read it as an option) or contain control characters (found "--upload-pack=x")'],
  ])('%s', async (_what, line, expected) => {
    expect(await problems({ 'deploy.yml': `app: demo\ndeploy_to: /srv/x\n${line}\n${STAGES}` })).toEqual([expected]);
  });
});
