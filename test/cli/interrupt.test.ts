import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';
import { snapshotTree } from '../support/tree.js';

const slowHook = (hook: 'before_switch' | 'after_switch') =>
  localStage(`tasks:
  slow: { run: "echo slow-started; sleep 20" }
hooks:
  ${hook}: [slow]`);

async function deployedApp(yml: string) {
  const app = makeApp(yml);
  writeFileSync(join(app.dir, 'first.yml'), localStage());
  expect((await runCli(['-c', 'first.yml', 'deploy', 'local'], { cwd: app.dir })).code).toBe(0);
  return app;
}

const stable = (root: string) => {
  const t = snapshotTree(root);
  delete t['.shipyaml/log.jsonl'];
  return t;
};

describe('interrupts on the local target', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} before the switch: release removed, lock released, current untouched, exit 130`, async () => {
      const { dir, root } = await deployedApp(slowHook('before_switch'));
      const before = stable(root);
      const run = startCli(['deploy', 'local', '--verbose'], { cwd: dir });
      await run.waitFor(/slow started|slow-started/);
      const t0 = Date.now();
      run.signal(sig);
      const r = await run.done;
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.code).toBe(130);
      expect(r.stdout + r.stderr).toMatch(/interrupted before the switch/);
      expect(stable(root)).toEqual(before);
      expect(existsSync(join(root, '.shipyaml/lock'))).toBe(false);
    }, 60_000);
  }

  it('SIGINT during after_switch: every host switched back, exit 130, and says so', async () => {
    const { dir, root } = await deployedApp(slowHook('after_switch'));
    const live = readlinkSync(join(root, 'current'));
    const releases = readdirSync(join(root, 'releases'));
    const run = startCli(['deploy', 'local', '--verbose'], { cwd: dir });
    await run.waitFor(/slow-started/);
    expect(readlinkSync(join(root, 'current'))).not.toBe(live); // it had switched
    run.signal('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stdout + r.stderr).toMatch(/interrupted during the switch: every host was switched back/);
    expect(readlinkSync(join(root, 'current'))).toBe(live);
    expect(readdirSync(join(root, 'releases'))).toEqual(releases);
    expect(existsSync(join(root, '.shipyaml/lock'))).toBe(false);
  }, 60_000);

  it('a second SIGINT exits at once and names the lock and the partial release it leaves', async () => {
    const { dir, root } = await deployedApp(
      localStage(`tasks:
  slow: { run: "trap '' INT TERM; echo slow-started; sleep 20" }
hooks:
  before_switch: [slow]`),
    );
    const live = readlinkSync(join(root, 'current'));
    const run = startCli(['deploy', 'local', '--verbose'], { cwd: dir });
    await run.waitFor(/slow-started/);
    run.signal('SIGINT');
    await run.waitFor(/stopping safely/);
    run.signal('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('exiting at once');
    expect(r.stderr).toContain(`locks held: local:${root}/.shipyaml/lock`);
    expect(r.stderr).toMatch(/partial release \d{8}-\d{6}/);
    expect(r.stderr).toContain('shipyaml unlock local && shipyaml cleanup local');
    expect(readlinkSync(join(root, 'current'))).toBe(live);
    // What it said it left is what is there, and the commands it named clear it.
    expect(existsSync(join(root, '.shipyaml/lock'))).toBe(true);
    expect((await runCli(['unlock', 'local'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['cleanup', 'local'], { cwd: dir })).code).toBe(0);
    expect(readdirSync(join(root, 'releases'))).toEqual([live.replace('releases/', '')]);
  }, 60_000);
});
