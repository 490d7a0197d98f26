// The example shared recipe package (examples/recipe-package) as a team would use it: packed with
// npm, installed from the tarball into a copy of examples/recipe-app (offline: a local tarball
// needs no registry), validated, and deployed on the local target through the built CLI.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveStage } from '../../src/config/index.js';
import { runCli, type CliResult } from '../support/cli.js';

const PACKAGE = fileURLToPath(new URL('../../examples/recipe-package', import.meta.url));
const APP = fileURLToPath(new URL('../../examples/recipe-app', import.meta.url));

function npm(cwd: string, ...args: string[]): string {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--offline'], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function expectOk(r: CliResult, what: string): void {
  expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
}

let tarball: string;

beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), 'shipyaml-pack-'));
  npm(PACKAGE, 'pack', '--pack-destination', out);
  const [file] = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  tarball = join(out, file!);
}, 120_000);

/** A copy of examples/recipe-app with the packed recipes installed from the tarball. */
function installedApp(): { dir: string; root: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'shipyaml-recipe-app-')), 'acme-shop');
  cpSync(APP, dir, { recursive: true, filter: (src) => !/node_modules|\.shipyaml/.test(src) });
  npm(dir, 'install', tarball);
  return { dir, root: join(dir, '.shipyaml/local/acme-shop') };
}

describe('a recipe package installed with npm', () => {
  it('packs only its recipes, README and package.json', () => {
    const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(list).toEqual(['package/README.md', 'package/package.json', 'package/recipes/php.yml', 'package/recipes/worker.yml']);
  });

  it('validates, and deploys with the package\'s recipes on top of the built-in laravel', async () => {
    const { dir, root } = installedApp();
    const valid = await runCli(['validate'], { cwd: dir });
    expectOk(valid, 'validate');
    expect(valid.stdout + valid.stderr).toContain('deploy.yml is valid (2 stages: local, production)');
    expectOk(await runCli(['setup', 'local'], { cwd: dir }), 'setup');
    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'deploy');

    const id = readlinkSync(join(root, 'current')).replace('releases/', '');
    // php: a REVISION file with the app's team; laravel: caches and migrate before the switch;
    // worker: queue:restart after it. The stand-in artisan logs into the shared storage/.
    expect(readFileSync(join(root, 'current/REVISION'), 'utf8')).toBe(`${id} checkout\n`);
    expect(readFileSync(join(root, 'shared/storage/logs/artisan.log'), 'utf8')).toBe(
      ['config:cache', 'route:cache', 'view:cache', 'migrate --force', 'queue:restart'].map((c) => `${c} ${id}\n`).join(''),
    );
    // php.yml's shared.dirs replaced laravel's list, repeating it and adding public/media.
    for (const p of ['.env', 'storage', 'public/uploads', 'public/media']) expect(readlinkSync(join(root, 'current', p))).toBe(join(root, 'shared', p));

    const stage = resolveStage(await loadConfig({ cwd: dir }), 'production', { env: {} });
    expect(stage.keepReleases).toBe(10);
    expect(stage.hooks).toEqual({ before_switch: ['vendors', 'cache', 'migrate', 'revision'], after_switch: ['reload', 'queue_restart'], after_rollback: ['reload', 'queue_restart'] });
    // A recipe's task points at the installed recipe file, where a fix would go.
    expect(stage.tasks.queue_restart!.location?.file).toBe('node_modules/@acme/shipyaml-recipes/recipes/worker.yml');
  }, 180_000);

  it('a var the package\'s recipe requires is named, with the recipe, when the app leaves it out', async () => {
    const { dir } = installedApp();
    writeFileSync(join(dir, 'deploy.yml'), readFileSync(join(dir, 'deploy.yml'), 'utf8').replace(/^ {2}team: .*\n/m, ''));
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'deploy.yml:6:11 extends[0] recipe "./php.yml" (extended by "@acme/shipyaml-recipes/worker") needs var team (the team that owns the app (written into REVISION, shown by /health)): set it under vars: in this file, or give --var team=VALUE',
    );
  }, 180_000);

  it('the package\'s default recipe, and a recipe it does not have', async () => {
    const { dir } = installedApp();
    const yml = readFileSync(join(dir, 'deploy.yml'), 'utf8');
    writeFileSync(join(dir, 'deploy.yml'), yml.replace('"@acme/shipyaml-recipes/worker"', '"@acme/shipyaml-recipes"'));
    const stage = resolveStage(await loadConfig({ cwd: dir }), 'production', { env: {} });
    expect(stage.tasks.queue_restart).toBeUndefined(); // php, not worker
    expect(stage.tasks.revision).toBeDefined();

    writeFileSync(join(dir, 'deploy.yml'), yml.replace('"@acme/shipyaml-recipes/worker"', '"@acme/shipyaml-recipes/wroker"'));
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'deploy.yml:6:11 extends[0] names recipe "@acme/shipyaml-recipes/wroker": package @acme/shipyaml-recipes has no recipe "wroker" (its recipes: @acme/shipyaml-recipes/php, @acme/shipyaml-recipes/worker)',
    );
  }, 180_000);
});
