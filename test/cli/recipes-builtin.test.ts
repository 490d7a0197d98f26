// Each built-in recipe deployed on the local target through the built CLI. The commands a recipe
// runs on a real server (sudo systemctl, pm2) are stand-ins on PATH that record how they were
// called and from where, so the recipe's own default commands are what is tested.
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeApp } from '../support/app.js';
import { runCli, type CliResult } from '../support/cli.js';

const LARAVEL_BUILD = fileURLToPath(new URL('../../examples/laravel-app/build', import.meta.url));
const STAGE = 'stages:\n  local:\n    hosts: [{ local: true }]\n    deploy_to: ./srv\n';

/** sudo and pm2 that only write "NAME ARGS | CWD" to calls.log in the app directory. */
function fakeTools(dir: string): NodeJS.ProcessEnv {
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['sudo', 'pm2']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $* | $(pwd)" >> ${JSON.stringify(join(dir, 'calls.log'))}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  return { PATH: `${bin}:${process.env.PATH}` };
}

const calls = (dir: string): string[] => (existsSync(join(dir, 'calls.log')) ? readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n') : []);
const live = (root: string): string => readlinkSync(join(root, 'current'));

function expectOk(r: CliResult, what: string): void {
  expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
}

describe('built-in recipe laravel', () => {
  const config = (extra = '') => `app: shop\nextends: [laravel]\nsource: { build: ./build }\nvars:\n  php_fpm: php8.3-fpm\n  artisan: ./artisan\n${extra}\n${STAGE}`;

  function laravelApp(extra = ''): { dir: string; root: string; env: NodeJS.ProcessEnv } {
    const { dir, root } = makeApp(config(extra), {});
    cpSync(LARAVEL_BUILD, join(dir, 'build'), { recursive: true });
    return { dir, root, env: fakeTools(dir) };
  }

  it('shares .env, storage/ and public/uploads; migrates once before the switch; reloads nginx and PHP-FPM after switch and rollback', async () => {
    const { dir, root, env } = laravelApp();
    expectOk(await runCli(['setup', 'local'], { cwd: dir, env }), 'setup');
    writeFileSync(join(root, 'shared/.env'), 'APP_KEY=base64:server\n');

    expectOk(await runCli(['deploy', 'local'], { cwd: dir, env }), 'first deploy');
    const first = live(root);
    expectOk(await runCli(['deploy', 'local'], { cwd: dir, env }), 'second deploy');
    const second = live(root);

    expect(readFileSync(join(root, 'current/.env'), 'utf8')).toBe('APP_KEY=base64:server\n');
    for (const p of ['.env', 'storage', 'public/uploads']) expect(readlinkSync(join(root, 'current', p))).toBe(join(root, 'shared', p));
    // The fake artisan appends to storage/logs: one line per deploy, through the shared link.
    const migrations = readFileSync(join(root, 'shared/storage/logs/migrations.log'), 'utf8').trim().split('\n');
    expect(migrations).toHaveLength(2);
    expect(migrations[1]).toContain(`migrate --force in ${join(root, second)}`);

    expectOk(await runCli(['rollback', 'local'], { cwd: dir, env }), 'rollback');
    expect(live(root)).toBe(first);
    const reloads = calls(dir);
    expect(reloads.map((l) => l.split(' | ')[0])).toEqual(Array(3).fill('sudo -n systemctl reload nginx php8.3-fpm'));
    expect(reloads[1]).toContain(`| ${join(root, second)}`);
  }, 90_000);

  it('reload_command replaces the sudo systemctl reload', async () => {
    const { dir, root, env } = laravelApp('  reload_command: echo "reloaded $SHIPYAML_RELEASE_ID" >> "$SHIPYAML_DEPLOY_TO/reloads.log"');
    expectOk(await runCli(['setup', 'local'], { cwd: dir, env }), 'setup');
    expectOk(await runCli(['deploy', 'local'], { cwd: dir, env }), 'deploy');
    expect(readFileSync(join(root, 'reloads.log'), 'utf8')).toBe(`reloaded ${live(root).replace('releases/', '')}\n`);
    expect(calls(dir)).toEqual([]);
  }, 60_000);

  it('a failing migration leaves the live release untouched and reloads nothing', async () => {
    const { dir, root, env } = laravelApp();
    expectOk(await runCli(['setup', 'local'], { cwd: dir, env }), 'setup');
    const r = await runCli(['deploy', 'local', '--var', 'artisan=./artisan nope'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fake artisan: unknown command nope');
    expect(existsSync(join(root, 'current'))).toBe(false);
    expect(calls(dir)).toEqual([]);
  }, 60_000);

  it('the first artisan cache command that fails stops the task and the deploy', async () => {
    const { dir, root, env } = laravelApp();
    writeFileSync(join(dir, 'build/artisan'), '#!/bin/sh\necho "$1" >> "$SHIPYAML_DEPLOY_TO/artisan-calls.log"\n[ "$1" != config:cache ]\n');
    chmodSync(join(dir, 'build/artisan'), 0o755);
    expectOk(await runCli(['setup', 'local'], { cwd: dir, env }), 'setup');
    const r = await runCli(['deploy', 'local'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('task cache failed');
    expect(readFileSync(join(root, 'artisan-calls.log'), 'utf8')).toBe('config:cache\n');
    expect(existsSync(join(root, 'current'))).toBe(false);
  }, 60_000);
});

describe('built-in recipe node', () => {
  // A dependency and a devDependency from local directories: npm ci installs them offline.
  const pkg = { name: 'api', version: '1.0.0', dependencies: { 'left-pad': 'file:vendor/left-pad' }, devDependencies: { 'dev-only': 'file:vendor/dev-only' } };
  const lock = {
    name: 'api',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'api', version: '1.0.0', dependencies: pkg.dependencies, devDependencies: pkg.devDependencies },
      'node_modules/dev-only': { resolved: 'vendor/dev-only', link: true },
      'node_modules/left-pad': { resolved: 'vendor/left-pad', link: true },
      'vendor/dev-only': { version: '1.0.0', dev: true },
      'vendor/left-pad': { version: '1.0.0' },
    },
  };
  const files: Record<string, string> = {
    'package.json': JSON.stringify(pkg),
    'package-lock.json': JSON.stringify(lock),
    'vendor/left-pad/package.json': '{ "name": "left-pad", "version": "1.0.0" }',
    'vendor/left-pad/index.js': 'module.exports = 1\n',
    'vendor/dev-only/package.json': '{ "name": "dev-only", "version": "1.0.0" }',
    'vendor/dev-only/index.js': 'module.exports = 2\n',
    'server.js': 'console.log(1)\n',
    'ecosystem.config.js': 'module.exports = {}\n',
  };
  const config = (vars: string) => `app: api\nextends: [node]\nvars:\n${vars}\n${STAGE}`;

  it('installs production dependencies in the release with npm ci and restarts the systemd unit named like the app', async () => {
    const { dir, root } = makeApp(config('  dependencies: install'), files);
    const env = fakeTools(dir);
    expectOk(await runCli(['deploy', 'local'], { cwd: dir, env }), 'deploy');
    // npm ci made node_modules/ inside the release (not in the build), without devDependencies.
    expect(readFileSync(join(root, 'current/node_modules/left-pad/index.js'), 'utf8')).toBe('module.exports = 1\n');
    expect(existsSync(join(root, 'current/node_modules/dev-only'))).toBe(false);
    expect(existsSync(join(dir, 'build/node_modules'))).toBe(false);
    expect(calls(dir)).toEqual([`sudo -n systemctl restart api | ${join(root, live(root))}`]);
  }, 90_000);

  it('pm2: startOrReload from the live path, so the app follows current/', async () => {
    const { dir, root } = makeApp(config('  dependencies: build\n  process_manager: pm2'), files);
    const env = fakeTools(dir);
    expectOk(await runCli(['deploy', 'local'], { cwd: dir, env }), 'deploy');
    expectOk(await runCli(['deploy', 'local'], { cwd: dir, env }), 'deploy again');
    expectOk(await runCli(['rollback', 'local'], { cwd: dir, env }), 'rollback');
    expect(calls(dir)).toEqual(Array(3).fill(`pm2 startOrReload ecosystem.config.js --update-env | ${join(root, 'current')}`));
  }, 90_000);

  it('dependencies: build ships node_modules/ as built, and service names the unit', async () => {
    const { dir, root } = makeApp(config('  dependencies: build\n  service: api-web'), { ...files, 'node_modules/left-pad/index.js': 'module.exports = 3\n' });
    const env = fakeTools(dir);
    expectOk(await runCli(['deploy', 'local'], { cwd: dir, env }), 'deploy');
    expect(readFileSync(join(root, 'current/node_modules/left-pad/index.js'), 'utf8')).toBe('module.exports = 3\n');
    expect(calls(dir)[0]).toMatch(/^sudo -n systemctl restart api-web \| /);
  }, 60_000);

  it('install without a lockfile fails before the switch, saying what to do', async () => {
    const { 'package-lock.json': _lock, ...noLock } = files;
    const { dir, root } = makeApp(config('  process_manager: none'), noLock);
    const r = await runCli(['deploy', 'local'], { cwd: dir, env: fakeTools(dir) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no package-lock.json in the release: npm ci needs one');
    expect(existsSync(join(root, 'current'))).toBe(false);
  }, 60_000);
});

describe('built-in recipe static', () => {
  it('deploys the files as they are: no hooks, .git and .DS_Store left out', async () => {
    const { dir, root } = makeApp(`app: site\nextends: static\n${STAGE}`, { 'index.html': '<h1>v1</h1>\n', '.git/HEAD': 'ref: refs/heads/main\n', 'img/.DS_Store': 'x', 'img/logo.svg': '<svg/>' });
    const plan = await runCli(['plan', 'local'], { cwd: dir });
    expectOk(plan, 'plan');
    expect(plan.stdout).not.toMatch(/-- after_switch|-- before_switch/);
    // Step names are the "# name" lines after the two header lines.
    expect(plan.stdout.match(/^# \S+/gm)?.slice(2)).toEqual(['# create_release', '# upload', '# link_shared', '# switch', '# remove_release', '# switch_back']);
    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'deploy');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('<h1>v1</h1>\n');
    expect(lstatSync(join(root, 'current/img/logo.svg')).isFile()).toBe(true);
    expect(existsSync(join(root, 'current/.git'))).toBe(false);
    expect(existsSync(join(root, 'current/img/.DS_Store'))).toBe(false);
  }, 60_000);
});
