// The merge rules of recipes (README "Recipes"), one case each: a recipe file next to the app's
// deploy.yml, the stage as the rest of shipyaml sees it, and where its values point back to.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveStage, type ResolveOptions, type StageConfig } from '../../src/config/index.js';
import { MERGE_RULES } from '../../src/config/recipes/merge.js';
import { deploySchema } from '../../src/config/schema.js';
import { errorFor, project } from '../fixtures/config/project.js';

const STAGES = 'stages:\n  production:\n    hosts: [web1]\n';

async function resolved(files: Record<string, string>, options: ResolveOptions = {}): Promise<StageConfig> {
  const dir = await project(files);
  const loaded = await loadConfig({ cwd: dir, stopDir: dir });
  return resolveStage(loaded, 'production', { env: {}, ...options });
}

/** The problem lines for a project of several files. */
async function problems(files: Record<string, string>, stage?: string, options: ResolveOptions = {}): Promise<string[]> {
  const dir = await project(files);
  try {
    const loaded = await loadConfig({ cwd: dir, stopDir: dir });
    if (stage) resolveStage(loaded, stage, { env: {}, ...options });
    else for (const s of loaded.stages) resolveStage(loaded, s, { env: {}, requireVars: false, ...options });
  } catch (e) {
    const err = e as { details: string[]; message: string };
    return err.details.length ? err.details : [err.message];
  }
  throw new Error('expected problems');
}

const app = (body: string, ext = '[./base.yml]') => `app: demo\nextends: ${ext}\n${body}\n${STAGES}`;

describe('merge rules, one by one', () => {
  it('a scalar from the file replaces the recipe\'s; one the file leaves out is inherited', async () => {
    const s = await resolved({ 'base.yml': 'deploy_to: /srv/base\nkeep_releases: 9\nparallel: 3\n', 'deploy.yml': app('keep_releases: 2') });
    expect([s.hosts[0]!.deployTo, s.keepReleases, s.parallel]).toEqual(['/srv/base', 2, 3]);
  });

  it('sections merge key by key: a list inside one replaces the recipe\'s list', async () => {
    const s = await resolved({
      'base.yml': 'deploy_to: /srv/x\nshared: { files: [.env], dirs: [storage], group: www-data }\n',
      'deploy.yml': app('shared: { dirs: [uploads] }'),
    });
    expect(s.shared).toEqual({ files: ['.env'], dirs: ['uploads'], group: 'www-data' });
  });

  it('source.build in the file drops a recipe\'s source.git (one of the two), and keeps its exclude', async () => {
    const s = await resolved({
      'base.yml': 'deploy_to: /srv/x\nsource: { git: { repo: "https://git.example.com/a.git" }, exclude: [.git] }\n',
      'deploy.yml': app('source: { build: ./out }'),
    });
    expect(s.source).toMatchObject({ kind: 'upload', exclude: ['.git'] });
  });

  it('healthcheck: false in the file turns a recipe\'s healthcheck off', async () => {
    const files = { 'base.yml': 'deploy_to: /srv/x\nhealthcheck: { run: "curl -fsS http://127.0.0.1/", retries: 7 }\n' };
    expect((await resolved({ ...files, 'deploy.yml': app('') })).healthcheck?.retries).toBe(7);
    expect((await resolved({ ...files, 'deploy.yml': app('healthcheck: false') })).healthcheck).toBeUndefined();
  });

  it('vars merge by name: the file replaces one, the recipe\'s others stay', async () => {
    const s = await resolved({ 'base.yml': 'deploy_to: /srv/x\nvars: { a: one, b: two }\n', 'deploy.yml': app('vars: { b: mine, c: three }') });
    expect(Object.fromEntries(Object.entries(s.vars).map(([k, v]) => [k, v.value]))).toEqual({ a: 'one', b: 'mine', c: 'three' });
  });

  it('a task of the same name replaces the recipe\'s, and points at the file that defined it', async () => {
    const dir = await project({
      'base.yml': 'deploy_to: /srv/x\ntasks:\n  migrate: { run: "php artisan migrate --force", once: true }\n  cache: "php artisan config:cache"\n',
      'deploy.yml': app('tasks:\n  migrate: ./bin/migrate'),
    });
    const s = resolveStage(await loadConfig({ cwd: dir, stopDir: dir }), 'production', { env: {} });
    expect(s.tasks.migrate).toMatchObject({ run: './bin/migrate', once: false, location: { file: 'deploy.yml', line: 4, col: 12 } });
    expect(s.tasks.cache).toMatchObject({ run: 'php artisan config:cache', location: { file: 'base.yml', line: 4, col: 10 } });
  });

  it('hook lists extend: the recipe\'s tasks first, then the file\'s', async () => {
    const s = await resolved({
      'base.yml': 'deploy_to: /srv/x\ntasks: { reload: "true" }\nhooks: { after_switch: [reload] }\n',
      'deploy.yml': app('tasks: { notify: "true" }\nhooks: { after_switch: [notify], before_switch: [notify] }'),
    });
    expect(s.hooks).toEqual({ before_switch: ['notify'], after_switch: ['reload', 'notify'], after_rollback: [] });
  });

  it('a task a recipe already runs at a hook is not added twice; repeats in one file stay', async () => {
    const s = await resolved({
      'base.yml': 'deploy_to: /srv/x\ntasks: { reload: "true" }\nhooks: { after_switch: [reload] }\n',
      'deploy.yml': app('tasks: { warm: "true" }\nhooks: { after_switch: [reload, warm, warm] }'),
    });
    expect(s.hooks.after_switch).toEqual(['reload', 'warm', 'warm']);
  });

  it('"!name" removes a recipe\'s task from a hook; removing and re-adding moves it to the end', async () => {
    const files = { 'base.yml': 'deploy_to: /srv/x\ntasks: { a: "true", b: "true" }\nhooks: { after_switch: [a, b], after_rollback: [a] }\n' };
    const removed = await resolved({ ...files, 'deploy.yml': app('hooks: { after_switch: ["!a"] }') });
    expect(removed.hooks).toMatchObject({ after_switch: ['b'], after_rollback: ['a'] });
    const moved = await resolved({ ...files, 'deploy.yml': app('hooks: { after_switch: ["!a", a] }') });
    expect(moved.hooks.after_switch).toEqual(['b', 'a']);
  });

  it('"!name" that removes nothing is an error at that entry (a typo must not pass silently)', async () => {
    expect(
      await problems({
        'base.yml': 'deploy_to: /srv/x\ntasks: { reload: "true" }\nhooks: { after_switch: [reload] }\n',
        'deploy.yml': app('hooks: { after_switch: ["!relaod"] }'),
      }),
    ).toEqual(['deploy.yml:3:25 hooks.after_switch[0] removes task "relaod", which is not in after_switch: after_switch has reload from the recipes before it']);
  });

  it('"!name" in a stage is an error: a stage\'s list replaces the merged list whole', async () => {
    const dir = { 'base.yml': 'deploy_to: /srv/x\ntasks: { reload: "true" }\nhooks: { after_switch: [reload] }\n' };
    const yaml = `app: demo\nextends: [./base.yml]\nstages:\n  production:\n    hosts: [web1]\n    hooks: { after_switch: ["!reload"] }\n`;
    expect(await problems({ ...dir, 'deploy.yml': yaml })).toEqual([
      "deploy.yml:6:29 stages.production.hooks.after_switch[0] removes a task, which only works at the top level (where recipes merge); a stage's after_switch list replaces the top-level one, so list the tasks this stage runs without reload",
    ]);
    const replaced = `app: demo\nextends: [./base.yml]\nstages:\n  production:\n    hosts: [web1]\n    hooks: { after_switch: [] }\n`;
    expect((await resolved({ ...dir, 'deploy.yml': replaced })).hooks.after_switch).toEqual([]);
  });

  it('later recipes override earlier ones, and the file overrides them all', async () => {
    const s = await resolved({
      'a.yml': 'deploy_to: /srv/a\nkeep_releases: 1\nvars: { x: a, y: a }\n',
      'b.yml': 'deploy_to: /srv/b\nvars: { x: b }\n',
      'deploy.yml': app('keep_releases: 3', '[./a.yml, ./b.yml]'),
    });
    expect([s.hosts[0]!.deployTo, s.keepReleases, s.vars.x!.value, s.vars.y!.value]).toEqual(['/srv/b', 3, 'b', 'a']);
  });

  it('a recipe that extends a recipe applies after it; its path is relative to the recipe', async () => {
    const s = await resolved({
      'recipes/base.yml': 'deploy_to: /srv/base\ntasks: { one: "true" }\nhooks: { before_switch: [one] }\n',
      'recipes/php.yml': 'extends: ./base.yml\ndeploy_to: /srv/php\ntasks: { two: "true" }\nhooks: { before_switch: [two] }\n',
      'deploy.yml': app('', '[./recipes/php.yml]'),
    });
    expect([s.hosts[0]!.deployTo, s.hooks.before_switch]).toEqual(['/srv/php', ['one', 'two']]);
  });

  it('a recipe two recipes share applies once, where first reached', async () => {
    const s = await resolved({
      'base.yml': 'deploy_to: /srv/base\ntasks: { base: "true" }\nhooks: { before_switch: [base] }\n',
      'a.yml': 'extends: [./base.yml]\ntasks: { a: "true" }\nhooks: { before_switch: [a] }\n',
      'b.yml': 'extends: [./base.yml]\ndeploy_to: /srv/b\ntasks: { b: "true" }\nhooks: { before_switch: [b, "!a"] }\n',
      'deploy.yml': app('', '[./a.yml, ./b.yml]'),
    });
    expect([s.hosts[0]!.deployTo, s.hooks.before_switch]).toEqual(['/srv/b', ['base', 'b']]);
  });

  it('a stage still overrides the merged top level', async () => {
    const yaml = `app: demo\nextends: [./base.yml]\nstages:\n  production:\n    hosts: [web1]\n    deploy_to: /srv/stage\n    vars: { x: stage }\n`;
    const s = await resolved({ 'base.yml': 'deploy_to: /srv/base\nvars: { x: recipe }\n', 'deploy.yml': yaml });
    expect([s.hosts[0]!.deployTo, s.vars.x!.value]).toEqual(['/srv/stage', 'stage']);
  });

  it('extends may be one string', async () => {
    const s = await resolved({ 'base.yml': 'deploy_to: /srv/one\n', 'deploy.yml': app('', './base.yml') });
    expect(s.hosts[0]!.deployTo).toBe('/srv/one');
  });

  it('every key a recipe may have has a merge rule (a new schema key must choose one)', () => {
    const recipe = (deploySchema().$defs as Record<string, { properties: Record<string, unknown> }>).recipe!;
    expect(Object.keys(MERGE_RULES).sort()).toEqual(Object.keys(recipe.properties).sort());
  });

  it('relative paths in a recipe still resolve against the app\'s deploy.yml, not the recipe', async () => {
    const dir = await project({ 'recipes/r.yml': 'source: { build: ./dist }\n', 'deploy.yml': `app: demo\nextends: [./recipes/r.yml]\ndeploy_to: /srv/x\n${STAGES}` });
    const s = resolveStage(await loadConfig({ cwd: dir, stopDir: dir }), 'production', { env: {} });
    expect(s.source).toMatchObject({ build: path.join(dir, 'dist') });
  });
});

describe('without extends nothing changes', () => {
  it('a config with no recipes reports hook mistakes as before', async () => {
    const e = await errorFor(`app: demo\ndeploy_to: /srv/x\nhooks: { after_switch: ["!reload"] }\n${STAGES}`);
    expect(e.details).toEqual(['deploy.yml:3:25 hooks.after_switch[0] removes task "reload", which is not in after_switch: no recipe before it adds tasks to after_switch']);
  });
});
