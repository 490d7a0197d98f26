// Retention and rollback never lose the wrong thing (local target): directories in releases/
// that are not release ids are never touched, nor what a symlink there points to; future-dated
// ids (clock skew) do not make a deploy remove the release that was live; failed and rolled-back
// releases are kept until `cleanup`, the newest keep_releases of them; a partial release is never
// a rollback target.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp } from '../support/app.js';
import { snapshotTree } from '../support/tree.js';
import { liveId, releaseDirs } from '../support/release-check.js';

const stage = (keep: number) => `app: demo
keep_releases: ${keep}
source: { build: ./build }
stages:
  local:
    hosts: [{ local: true }]
    deploy_to: ./srv
`;

async function run(dir: string, ...args: string[]) {
  return runCli(args, { cwd: dir });
}
async function ok(dir: string, ...args: string[]) {
  const r = await run(dir, ...args);
  expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r;
}
/** A deploy of a build that names itself, so a release's content shows which deploy made it. */
async function deploy(dir: string, root: string, label: string): Promise<string> {
  writeFileSync(join(dir, 'build/index.html'), `${label}\n`);
  await ok(dir, 'deploy', 'local');
  return liveId(root)!;
}
const content = (root: string, id: string) => readFileSync(join(root, 'releases', id, 'index.html'), 'utf8').trim();
const logLine = (root: string, entry: object) => appendFileSync(join(root, '.shipyaml/log.jsonl'), `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);

describe('retention never loses the wrong thing', () => {
  it('never touches what is not a release id in releases/, nor what a symlink there points to', async () => {
    const { dir, root } = makeApp(stage(2));
    await deploy(dir, root, 'first');
    const foreign = ['keep-me', '2024-01-01', '20240101-000000.bak', '20240101-00000', '.hidden', '20240101-000000-', 'current', '20240101_000000'];
    for (const name of foreign) {
      mkdirSync(join(root, 'releases', name, 'sub'), { recursive: true });
      writeFileSync(join(root, 'releases', name, 'sub/data'), `precious ${name}\n`);
    }
    writeFileSync(join(root, 'releases/NOTES.txt'), 'a file, not a dir\n');
    // A link named like an old release that points outside deploy_to: removing it must never
    // remove what it points to.
    const outside = mkdtempSync(join(tmpdir(), 'shipyaml-outside-'));
    writeFileSync(join(outside, 'precious'), 'outside\n');
    symlinkSync(outside, join(root, 'releases/20000101-000000'));
    const foreignTree = () => Object.fromEntries(Object.entries(snapshotTree(join(root, 'releases'))).filter(([k]) => foreign.some((f) => k === f || k.startsWith(`${f}/`)) || k === 'NOTES.txt'));
    const before = foreignTree();
    expect(Object.keys(before).length).toBeGreaterThan(foreign.length * 2);

    for (let i = 0; i < 4; i++) await deploy(dir, root, `d${i}`);
    await ok(dir, 'rollback', 'local');
    await ok(dir, 'cleanup', 'local');
    await deploy(dir, root, 'last');

    expect(foreignTree()).toEqual(before);
    expect(snapshotTree(outside)).toEqual({ precious: expect.stringMatching(/^file:/) });
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('outside\n');
    // Retention did run on the real ids: keep 2.
    expect(releaseDirs(root).filter((d) => /^\d{8}-\d{6}(-\d+)?$/.test(d))).toHaveLength(2);
  }, 90_000);

  it('future-dated release ids (a clock that ran ahead) do not make a deploy remove the release that was live', async () => {
    const { dir, root } = makeApp(stage(2));
    const older = await deploy(dir, root, 'older');
    const live = await deploy(dir, root, 'live');
    // Releases with ids from 2099, as a machine whose clock ran ahead would have made, logged as
    // deployed before the live one.
    const log = readFileSync(join(root, '.shipyaml/log.jsonl'), 'utf8');
    const future = ['20990101-000001', '20990101-000002', '20990101-000003'];
    writeFileSync(join(root, '.shipyaml/log.jsonl'), '');
    for (const id of future) {
      mkdirSync(join(root, 'releases', id));
      writeFileSync(join(root, 'releases', id, 'index.html'), `future ${id}\n`);
      logLine(root, { action: 'deploy', id, status: 'ok', time: '2099-01-01T00:00:00.000Z' });
    }
    appendFileSync(join(root, '.shipyaml/log.jsonl'), log);

    const next = await deploy(dir, root, 'next');
    // The new id sorts after every id on the host, whatever the clock says.
    expect([...releaseDirs(root)].sort().at(-1)).toBe(next);
    expect(releaseDirs(root)).toContain(next);
    expect(releaseDirs(root), 'the release live before this deploy').toContain(live);
    expect(content(root, live)).toBe('live');
    expect(content(root, next)).toBe('next');
    console.log(`retention under clock skew: live ${next}, previously live ${live} kept, ${older} ${releaseDirs(root).includes(older) ? 'kept' : 'removed'}`);
  }, 90_000);

  it('of the rolled-back releases a deploy keeps only the newest keep_releases: rollbacks do not fill the disk', async () => {
    const { dir, root } = makeApp(stage(1));
    const a = await deploy(dir, root, 'a');
    const bad: string[] = [];
    for (const label of ['x1', 'x2', 'x3']) {
      bad.push(await deploy(dir, root, label));
      await ok(dir, 'rollback', 'local');
      expect(liveId(root)).toBe(a);
    }
    const last = await deploy(dir, root, 'last');
    // keep 1: the live release, the rollback target (a), and the newest rolled-back one.
    expect(releaseDirs(root)).toEqual([a, bad[2]!, last].sort());
    expect(content(root, bad[2]!)).toBe('x3');
    const list = await ok(dir, 'releases', 'local');
    expect(list.stdout).toMatch(new RegExp(`${bad[2]}\\s+all 1\\s+rolled.back`));
    await ok(dir, 'cleanup', 'local');
    expect(releaseDirs(root)).toEqual([a, last].sort());
  }, 90_000);

  it('a failed release and a rolled-back release are kept (outside keep_releases) until cleanup', async () => {
    const { dir, root } = makeApp(stage(2));
    const a = await deploy(dir, root, 'a');
    // A release whose deploy failed and whose removal did not happen (a host lost mid-deploy).
    const failed = '20000101-000000';
    mkdirSync(join(root, 'releases', failed));
    writeFileSync(join(root, 'releases', failed, 'index.html'), 'failed\n');
    logLine(root, { action: 'deploy', id: failed, status: 'failed' });
    const b = await deploy(dir, root, 'b');
    const c = await deploy(dir, root, 'c');
    await ok(dir, 'rollback', 'local'); // c is now rolled back, b live
    expect(liveId(root)).toBe(b);
    const d = await deploy(dir, root, 'd');
    const e = await deploy(dir, root, 'e');
    const list = await ok(dir, 'releases', 'local');
    expect(list.stdout).toMatch(new RegExp(`${failed}\\s+all 1\\s+failed`));
    expect(list.stdout).toMatch(new RegExp(`${c}\\s+all 1\\s+rolled.back`));
    // keep 2 good ones (d, e) + the failed and the rolled-back one; a and b are gone.
    expect(releaseDirs(root)).toEqual([failed, c, d, e].sort());
    expect(releaseDirs(root)).not.toContain(a);
    // Neither is a rollback target.
    const to = await run(dir, 'rollback', 'local', '--to', failed);
    expect(to.code).toBe(1);
    expect(to.stderr).toContain(`release ${failed} is failed, not a successful release`);
    expect(liveId(root)).toBe(e);
    await ok(dir, 'cleanup', 'local');
    expect(releaseDirs(root)).toEqual([d, e]);
  }, 90_000);

  it('a partial release (no success in the log) is never a rollback target, and rollback --to a missing id switches nothing', async () => {
    const { dir, root } = makeApp(stage(5));
    const a = await deploy(dir, root, 'a');
    await new Promise((r) => setTimeout(r, 1100)); // b in a later second, so an id fits between
    const b = await deploy(dir, root, 'b');
    // A release dir between a and b with no log entry: what a kill -9 mid-upload leaves.
    const partial = `${a}-5`;
    mkdirSync(join(root, 'releases', partial));
    expect([a, partial, b].sort()).toEqual([a, partial, b]);
    const refused = await run(dir, 'rollback', 'local', '--to', partial);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`release ${partial} is partial, not a successful release`);
    const missing = await run(dir, 'rollback', 'local', '--to', '20010101-000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('release 20010101-000000 does not exist');
    expect(liveId(root)).toBe(b);
    await ok(dir, 'rollback', 'local');
    expect(liveId(root)).toBe(a);
  }, 60_000);
});
