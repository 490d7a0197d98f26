// `shipyaml init` through the built CLI: in an empty directory, a Laravel-like one and a Node one,
// each followed by `validate` and a deploy on the local target; flags, --force, bad values, and
// the questions it asks in a real terminal.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { yamlScalar } from '../../src/app/init-template.js';
import { parse } from 'yaml';
import { CLI, runCli } from '../support/cli.js';

const FAKE_ARTISAN = fileURLToPath(new URL('../../examples/laravel-app/build/artisan', import.meta.url));

function appDir(name: string, files: Record<string, string> = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'shipyaml-init-')), name);
  mkdirSync(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const liveDir = (dir: string, app: string) => join(dir, '.shipyaml/local', app, 'current');

async function ok(args: string[], cwd: string): Promise<string> {
  const r = await runCli(args, { cwd });
  expect(r.stderr, `shipyaml ${args.join(' ')}`).not.toMatch(/error/i);
  expect(r.code, `shipyaml ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout + r.stderr;
}

describe('init, then validate, then a local deploy', () => {
  it('an empty directory gets the static recipe and deploys at once', async () => {
    const dir = appDir('empty-site');
    const out = await ok(['init'], dir);
    expect(out).toContain('extends static');
    const text = readFileSync(join(dir, 'deploy.yml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/shipyaml/schema/deploy.schema.json');
    expect(parse(text)).toMatchObject({ app: 'empty-site', extends: ['static'], source: { build: '.' } });
    expect(await ok(['validate'], dir)).toContain('deploy.yml is valid (2 stages: production, local)');
    await ok(['deploy', 'local'], dir);
    expect(lstatSync(liveDir(dir, 'empty-site')).isSymbolicLink()).toBe(true);
    // deploy.yml and the local target itself are not uploaded into the release.
    expect(existsSync(join(liveDir(dir, 'empty-site'), 'deploy.yml'))).toBe(false);
    expect(existsSync(join(liveDir(dir, 'empty-site'), '.shipyaml'))).toBe(false);
  }, 60_000);

  it('a static site with a dist/ directory uploads dist/', async () => {
    const dir = appDir('site', { 'dist/index.html': '<h1>hi</h1>\n', 'README.md': 'not for the server\n' });
    await ok(['init'], dir);
    expect(parse(readFileSync(join(dir, 'deploy.yml'), 'utf8')).source).toEqual({ build: './dist' });
    await ok(['deploy', 'local'], dir);
    expect(readFileSync(join(liveDir(dir, 'site'), 'index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
    expect(existsSync(join(liveDir(dir, 'site'), 'README.md'))).toBe(false);
  }, 60_000);

  it('a Laravel-like directory (artisan) gets the laravel recipe; after setup local it deploys with shared .env and storage', async () => {
    const dir = appDir('shop', { 'public/index.php': '<?php echo "shop";\n', '.env': 'APP_KEY=laptop-secret\n', 'storage/logs/laravel.log': 'local log\n' });
    copyFileSync(FAKE_ARTISAN, join(dir, 'artisan'));
    await ok(['init'], dir);
    const config = parse(readFileSync(join(dir, 'deploy.yml'), 'utf8'));
    expect(config).toMatchObject({ extends: ['laravel'], vars: { php_fpm: 'php8.3-fpm' } });
    await ok(['validate'], dir);
    await ok(['setup', 'local'], dir);
    const out = await ok(['deploy', 'local', '--verbose'], dir);
    // artisan is only printed on the local target, and the reload is harmless there.
    expect(out).toContain('php artisan migrate --force');
    expect(out).toContain('nothing to reload on the local target');
    const live = liveDir(dir, 'shop');
    expect(readFileSync(join(live, 'public/index.php'), 'utf8')).toContain('shop');
    for (const shared of ['.env', 'storage', 'public/uploads']) expect(lstatSync(join(live, shared)).isSymbolicLink(), shared).toBe(true);
    // The laptop's .env and logs never reach the server: the shared ones are empty.
    expect(readFileSync(join(live, '.env'), 'utf8')).toBe('');
    expect(existsSync(join(live, 'storage/logs/laravel.log'))).toBe(false);
  }, 60_000);

  it('a Node directory with a lockfile gets the node recipe, and npm ci runs in the release', async () => {
    const dir = appDir('api', { 'package.json': '{ "name": "api", "version": "1.0.0", "private": true }\n', 'server.js': 'console.log("api")\n' });
    const lock = spawnSync('npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(lock.status, lock.stderr).toBe(0);
    await ok(['init'], dir);
    const config = parse(readFileSync(join(dir, 'deploy.yml'), 'utf8'));
    expect(config.extends).toEqual(['node']);
    expect(config.vars.dependencies).toBeUndefined(); // install: the recipe's default
    await ok(['validate'], dir);
    const out = await ok(['deploy', 'local', '--verbose'], dir);
    expect(out).toContain('npm ci --omit=dev');
    expect(out).toContain('process_manager is none: nothing restarted');
    expect(readFileSync(join(liveDir(dir, 'api'), 'server.js'), 'utf8')).toBe('console.log("api")\n');
  }, 90_000);

  it('a Node directory without a lockfile ships node_modules/ in the build instead of running npm ci', async () => {
    const dir = appDir('tool', { 'package.json': '{ "name": "tool", "private": true }\n', 'node_modules/left-pad/index.js': 'module.exports = 1\n' });
    await ok(['init'], dir);
    expect(parse(readFileSync(join(dir, 'deploy.yml'), 'utf8')).vars.dependencies).toBe('build');
    await ok(['validate'], dir);
    // With install, npm ci would have refused: the release has no lockfile.
    await ok(['deploy', 'local'], dir);
    expect(readFileSync(join(liveDir(dir, 'tool'), 'node_modules/left-pad/index.js'), 'utf8')).toBe('module.exports = 1\n');
  }, 60_000);
});

describe('init options', () => {
  it('takes --recipe, --host and --deploy-to, and plan shows them', async () => {
    const dir = appDir('flags');
    await ok(['init', '--recipe', 'node', '--host', 'web9.example.com', '--deploy-to', '/srv/apps/flags'], dir);
    expect(parse(readFileSync(join(dir, 'deploy.yml'), 'utf8')).stages.production).toMatchObject({ deploy_to: '/srv/apps/flags', hosts: ['web9.example.com'] });
    const plan = await ok(['plan', 'production'], dir);
    expect(plan).toContain('== web9.example.com  /srv/apps/flags');
  }, 60_000);

  it('never overwrites deploy.yml without --force', async () => {
    const dir = appDir('keep', { 'deploy.yml': 'app: mine\n' });
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deploy.yml already exists');
    expect(readFileSync(join(dir, 'deploy.yml'), 'utf8')).toBe('app: mine\n');
    await ok(['init', '--force'], dir);
    expect(readFileSync(join(dir, 'deploy.yml'), 'utf8')).toContain('extends: [static]');
  }, 60_000);

  it('refuses a value that would make an invalid file, and leaves nothing behind', async () => {
    const dir = appDir('bad');
    const r = await runCli(['init', '--host', '-oProxyCommand=touch /tmp/x'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stages.production.hosts[0] must be a host name');
    expect(existsSync(join(dir, 'deploy.yml'))).toBe(false);
  }, 60_000);

  it('writes user values as YAML that reads back as the same string', () => {
    for (const v of ['web1.example.com', '/srv/www/a b', 'web1 # not a comment', 'true', '1.5', ': x', "it's", '.']) {
      expect(parse(`k: ${yamlScalar(v)}\n`).k).toBe(v);
    }
    expect(yamlScalar('web1.example.com')).toBe('web1.example.com');
  });

  it('points the schema line at an installed shipyaml when there is one', async () => {
    const dir = appDir('installed', { 'node_modules/shipyaml/schema/deploy.schema.json': '{}' });
    await ok(['init', '--recipe', 'static'], dir);
    expect(readFileSync(join(dir, 'deploy.yml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/shipyaml/schema/deploy.schema.json');
  }, 60_000);
});

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('init in a terminal', () => {
  // Not skipped where script(1) is missing: that would pass without testing anything.
  it('has script(1) to run the CLI in a pseudo-terminal (util-linux / bsdutils)', () => {
    expect(hasScript, 'script(1) not found: install bsdutils (Debian) or util-linux').toBe(true);
  });

  it('asks for the recipe (again after a wrong answer), the host and deploy_to', () => {
    const dir = appDir('asked', { artisan: '' });
    const run = spawnSync('script', ['-qfec', `${process.execPath} ${CLI} init`, '/dev/null'], {
      cwd: dir,
      input: 'nodee\nnode\nweb7.example.com\n\n',
      encoding: 'utf8',
      env: { ...process.env, CI: '', NO_COLOR: '1' },
      timeout: 30_000,
    });
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toContain('Recipe (laravel, node, static) [laravel]:');
    expect(run.stdout).toContain('"nodee" is not one of laravel, node, static');
    expect(run.stdout).toContain('deploy_to on that host [/srv/www/asked]:');
    const config = parse(readFileSync(join(dir, 'deploy.yml'), 'utf8'));
    expect(config).toMatchObject({ extends: ['node'], stages: { production: { deploy_to: '/srv/www/asked', hosts: ['web7.example.com'] } } });
  });
});
