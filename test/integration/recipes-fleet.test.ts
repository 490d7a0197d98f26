// The built-in recipes and the git source over real sshd hosts (test harness): what the local
// target cannot show — a `once` migration on one host of several, a reload on every host, npm ci
// on each server, and every host exporting the same commit from its own mirror.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';
import { runCli } from '../support/cli.js';

const LARAVEL_BUILD = fileURLToPath(new URL('../../examples/laravel-app/build', import.meta.url));
const DEPLOY_TO = '/srv/app';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startHosts(2, { prefix: 'rweb' });
}, 60_000);
afterAll(() => fleet?.stop(), 30_000);

const root = (h: SshdHost) => join(h.root, 'app');
const live = (h: SshdHost) => readlinkSync(join(root(h), 'current')).replace('releases/', '');
const log = (h: SshdHost) => readFileSync(join(root(h), '.shipyaml/log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** An app directory whose `production` stage is the fleet, with `body` as its top level. */
function fleetApp(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipyaml-recipes-fleet-'));
  const hosts = fleet.hosts.map((h) => `      - ${h.alias}`).join('\n');
  writeFileSync(
    join(dir, 'deploy.yml'),
    `app: fleet-recipes\n${body}\nssh: { config_file: ${JSON.stringify(fleet.sshConfig)} }\nstages:\n  production:\n    deploy_to: ${DEPLOY_TO}\n    hosts:\n${hosts}\n`,
  );
  return dir;
}

async function ok(dir: string, ...args: string[]): Promise<void> {
  const r = await runCli(args, { cwd: dir });
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
}

describe('built-in recipes over SSH', () => {
  it('laravel: migrate on one host only, before any switch; reload on every host; shared paths on every host', async () => {
    const dir = fleetApp(
      [
        'extends: [laravel]',
        'source: { build: ./build }',
        'vars:',
        '  php_fpm: php8.3-fpm',
        '  artisan: ./artisan',
        '  reload_command: echo "reloaded $SHIPYAML_RELEASE_ID" >> "$SHIPYAML_DEPLOY_TO/reloads.log"',
      ].join('\n'),
    );
    cpSync(LARAVEL_BUILD, join(dir, 'build'), { recursive: true });
    await ok(dir, 'setup', 'production');
    await ok(dir, 'deploy', 'production');
    const [first, second] = fleet.hosts;
    const id = live(first!);
    for (const h of fleet.hosts) {
      expect(live(h)).toBe(id);
      expect(readFileSync(join(root(h), 'reloads.log'), 'utf8')).toBe(`reloaded ${id}\n`);
      for (const p of ['.env', 'storage', 'public/uploads']) expect(readlinkSync(join(root(h), 'current', p))).toBe(`${DEPLOY_TO}/shared/${p}`);
    }
    expect(readFileSync(join(root(first!), 'shared/storage/logs/migrations.log'), 'utf8')).toContain(`migrate --force in ${DEPLOY_TO}/releases/${id}`);
    expect(existsSync(join(root(second!), 'shared/storage/logs/migrations.log'))).toBe(false);
  }, 120_000);

  it('node: npm ci --omit=dev on each server, in the new release', async () => {
    const dir = fleetApp('extends: [node]\nsource: { build: ./build }\nvars: { process_manager: none }');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'api', version: '1.0.0', dependencies: { 'left-pad': 'file:vendor/left-pad' } }),
      'package-lock.json': JSON.stringify({
        name: 'api',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'api', version: '1.0.0', dependencies: { 'left-pad': 'file:vendor/left-pad' } },
          'node_modules/left-pad': { resolved: 'vendor/left-pad', link: true },
          'vendor/left-pad': { version: '1.0.0' },
        },
      }),
      'vendor/left-pad/package.json': '{ "name": "left-pad", "version": "1.0.0" }',
      'vendor/left-pad/index.js': 'module.exports = 1\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, 'build', rel, '..'), { recursive: true });
      writeFileSync(join(dir, 'build', rel), text);
    }
    await ok(dir, 'deploy', 'production');
    for (const h of fleet.hosts) expect(readFileSync(join(root(h), 'current/node_modules/left-pad/index.js'), 'utf8')).toBe('module.exports = 1\n');
  }, 120_000);

  it('static: the files, nothing else', async () => {
    const dir = fleetApp('extends: static\nsource: { build: ./build }');
    mkdirSync(join(dir, 'build/.git'), { recursive: true });
    writeFileSync(join(dir, 'build/index.html'), 'static over ssh\n');
    writeFileSync(join(dir, 'build/.git/HEAD'), 'ref: refs/heads/main\n');
    await ok(dir, 'deploy', 'production');
    for (const h of fleet.hosts) {
      expect(readFileSync(join(root(h), 'current/index.html'), 'utf8')).toBe('static over ssh\n');
      expect(existsSync(join(root(h), 'current/.git'))).toBe(false);
    }
  }, 120_000);
});

describe('git source over SSH', () => {
  it('every host mirrors the repository, exports the same commit, and logs it', async () => {
    // /var/tmp is shared by the hosts (their /srv and /tmp are private): each clones from here.
    const base = mkdtempSync('/var/tmp/shipyaml-git-fleet-');
    onTestFinished(() => rmSync(base, { recursive: true, force: true }));
    const bare = join(base, 'app.git');
    const work = join(base, 'work');
    const git = (cwd: string, ...args: string[]) => {
      const r = spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    mkdirSync(bare);
    git(bare, 'init', '--quiet', '--bare');
    git(base, 'clone', '--quiet', bare, work);
    writeFileSync(join(work, 'index.html'), 'from git over ssh\n');
    mkdirSync(join(work, 'bin'));
    writeFileSync(join(work, 'bin/run'), '#!/bin/sh\necho run\n');
    chmodSync(join(work, 'bin/run'), 0o755);
    git(work, 'add', '-A');
    git(work, 'commit', '--quiet', '-m', 'one');
    git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
    const commit = git(work, 'rev-parse', 'HEAD');

    const dir = fleetApp(`source:\n  git: { repo: ${JSON.stringify(bare)}, ref: main }`);
    await ok(dir, 'deploy', 'production');
    const id = live(fleet.hosts[0]!);
    for (const h of fleet.hosts) {
      expect(live(h)).toBe(id);
      expect(readFileSync(join(root(h), 'current/index.html'), 'utf8')).toBe('from git over ssh\n');
      expect(spawnSync('test', ['-x', join(root(h), 'current/bin/run')]).status).toBe(0); // modes survive git archive
      expect(existsSync(join(root(h), '.shipyaml/repo/HEAD'))).toBe(true);
      expect(log(h).at(-1)).toMatchObject({ id, status: 'ok', revision: commit });
    }
    const list = await runCli(['releases', 'production'], { cwd: dir });
    expect(list.stdout).toMatch(new RegExp(`\\*\\s+${id}\\s+all 2\\s+live\\s+${commit.slice(0, 10)}`));
  }, 120_000);
});
