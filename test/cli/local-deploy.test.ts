import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';
import { snapshotTree } from '../support/tree.js';

const releases = (root: string) => readdirSync(join(root, 'releases')).sort();
const live = (root: string) => readlinkSync(join(root, 'current'));

describe('deploy on the local target, through the built CLI', () => {
  it('7 deploys with keep_releases 5 leave exactly 5 releases, current on the newest, shared/ intact', async () => {
    const { dir, root } = makeApp(localStage('shared: { files: [.env], dirs: [uploads] }'), {
      'index.html': 'hello\n',
      'uploads/from-build.txt': 'the build made this dir; the shared link must replace it\n',
    });
    expect((await runCli(['setup', 'local'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(root, 'shared/.env'), 'SECRET=1\n');
    writeFileSync(join(root, 'shared/uploads/user.jpg'), 'uploaded by a user\n');
    const ids: string[] = [];
    for (let i = 1; i <= 7; i++) {
      writeFileSync(join(dir, 'build/index.html'), `version ${i}\n`);
      const r = await runCli(['deploy', 'local'], { cwd: dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      ids.push(live(root).replace('releases/', ''));
      expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe(`version ${i}\n`);
      expect(readFileSync(join(root, 'current/.env'), 'utf8')).toBe('SECRET=1\n');
      expect(readFileSync(join(root, 'current/uploads/user.jpg'), 'utf8')).toBe('uploaded by a user\n');
      expect(existsSync(join(root, 'current/uploads/from-build.txt'))).toBe(false);
    }
    expect(new Set(ids).size).toBe(7);
    expect(releases(root)).toEqual(ids.slice(2));
    expect(live(root)).toBe(`releases/${ids[6]}`);
    const log = readFileSync(join(root, '.shipyaml/log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((e) => [e.action, e.id, e.status])).toEqual(ids.map((id) => ['deploy', id, 'ok']));
    expect(existsSync(join(root, '.shipyaml/lock'))).toBe(false);
  }, 120_000);

  it('rollback goes to the previous release, --to to a named one, and refuses a bad id', async () => {
    const { dir, root } = makeApp(localStage());
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      writeFileSync(join(dir, 'build/index.html'), `v${i}\n`);
      expect((await runCli(['deploy', 'local'], { cwd: dir })).code).toBe(0);
      ids.push(live(root).replace('releases/', ''));
    }
    const back = await runCli(['rollback', 'local'], { cwd: dir });
    expect(back.code).toBe(0);
    expect(live(root)).toBe(`releases/${ids[1]}`);
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('v2\n');

    const to = await runCli(['rollback', 'local', '--to', ids[0]!], { cwd: dir });
    expect(to.code).toBe(0);
    expect(live(root)).toBe(`releases/${ids[0]}`);

    const before = snapshotTree(root);
    const bad = await runCli(['rollback', 'local', '--to', '20990101-000000'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('20990101-000000 does not exist');
    const traversal = await runCli(['rollback', 'local', '--to', '../../etc'], { cwd: dir });
    expect(traversal.code).toBe(2);
    expect(snapshotTree(root)).toEqual(before);

    const list = await runCli(['releases', 'local'], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`\\*\\s+${ids[0]}\\s+all 1\\s+live`));
    expect(list.stdout).toMatch(new RegExp(`${ids[2]}\\s+all 1\\s+rolled back`));
  }, 120_000);

  it('a failing hook leaves current and every previous release byte-for-byte as they were', async () => {
    const { dir, root } = makeApp(
      localStage(`tasks:
  migrate: { run: "echo migrating; echo 'database is on fire' >&2; exit 3" }
hooks:
  before_switch: [migrate]`),
    );
    writeFileSync(join(dir, 'deploy.ok.yml'), localStage());
    expect((await runCli(['-c', 'deploy.ok.yml', 'deploy', 'local'], { cwd: dir })).code).toBe(0);
    const before = snapshotTree(join(root));
    delete before['.shipyaml/log.jsonl'];
    const r = await runCli(['deploy', 'local'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('migrate');
    expect(r.stderr).toContain('exit 3');
    expect(r.stderr).toContain('database is on fire');
    expect(r.stderr).toContain("echo 'database is on fire' >&2; exit 3");
    const after = snapshotTree(root);
    delete after['.shipyaml/log.jsonl'];
    expect(after).toEqual(before);
    const last = readFileSync(join(root, '.shipyaml/log.jsonl'), 'utf8').trim().split('\n').pop()!;
    expect(JSON.parse(last).status).toBe('failed');
  }, 60_000);

  it('a held lock gives exit 3, names who holds it, and changes nothing', async () => {
    const { dir, root } = makeApp(localStage());
    expect((await runCli(['deploy', 'local'], { cwd: dir })).code).toBe(0);
    const lock = { user: 'alice', machine: 'laptop', pid: 4242, since: '2026-11-27T10:00:00.000Z', command: 'deploy' };
    writeFileSync(join(root, '.shipyaml/lock'), JSON.stringify(lock));
    const before = snapshotTree(root);
    const r = await runCli(['deploy', 'local'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('alice@laptop');
    expect(r.stderr).toContain('2026-11-27T10:00:00.000Z');
    expect(snapshotTree(root)).toEqual(before);
    expect((await runCli(['unlock', 'local'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['deploy', 'local'], { cwd: dir })).code).toBe(0);
  }, 60_000);

  it.each([["$(touch PWNED)"], ["'; touch PWNED; '"], ['`touch PWNED`'], ['"; touch PWNED; "']])(
    'a var whose value is %s reaches the hook as data, never as code',
    async (value) => {
      const { dir, root } = makeApp(
        localStage(`vars:
  label: "placeholder"
tasks:
  show: { run: "printf '%s' {{label}} > label.txt" }
hooks:
  before_switch: [show]`),
      );
      const r = await runCli(['deploy', 'local', '--var', `label=${value}`], { cwd: dir });
      expect(r.code).toBe(0);
      expect(readFileSync(join(root, 'current/label.txt'), 'utf8')).toBe(value);
      for (const d of [dir, root, join(root, 'current')]) expect(existsSync(join(d, 'PWNED'))).toBe(false);
    },
    30_000,
  );

  it('a build that does not exist is a clear error that changes nothing', async () => {
    const { dir, root } = makeApp(localStage().replace('./build', './missing'));
    const r = await runCli(['deploy', 'local'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(root)).toBe(false);
  });

  it('source.exclude keeps paths out of the release', async () => {
    const { dir, root } = makeApp(localStage().replace('source: { build: ./build }', 'source: { build: ./build, exclude: [.git, "*.log", docs/internal] }'), {
      'index.html': 'x',
      '.git/HEAD': 'ref',
      'app/debug.log': 'log',
      'docs/internal/secret.md': 's',
      'docs/public.md': 'p',
    });
    expect((await runCli(['deploy', 'local'], { cwd: dir })).code).toBe(0);
    const rel = join(root, 'current');
    expect(existsSync(join(rel, 'index.html'))).toBe(true);
    expect(existsSync(join(rel, 'docs/public.md'))).toBe(true);
    expect(existsSync(join(rel, '.git'))).toBe(false);
    expect(existsSync(join(rel, 'app/debug.log'))).toBe(false);
    expect(existsSync(join(rel, 'docs/internal'))).toBe(false);
    mkdirSync(join(dir, 'sub'), { recursive: true });
  });
});
