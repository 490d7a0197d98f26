import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';

describe('healthcheck on the local target', () => {
  it('a failing check switches back, runs after_rollback, exit 1, and keeps retrying as configured', async () => {
    const { dir, root } = makeApp(
      localStage(`tasks:
  note: { run: "echo rolled-back-to={{release_id}} >> {{deploy_to}}/after_rollback.log" }
hooks:
  after_rollback: [note]
healthcheck:
  run: "echo try >> {{deploy_to}}/tries.log; test -f healthy"
  retries: 3
  interval: 100ms`),
    );
    writeFileSync(join(dir, 'ok.yml'), localStage());
    expect((await runCli(['-c', 'ok.yml', 'deploy', 'local'], { cwd: dir })).code).toBe(0);
    const live = readlinkSync(join(root, 'current'));
    const r = await runCli(['deploy', 'local'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_HEALTHCHECK');
    expect(r.stderr).toMatch(/healthcheck failed on local after 3 tries/);
    expect(readFileSync(join(root, 'tries.log'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readlinkSync(join(root, 'current'))).toBe(live);
    expect(readFileSync(join(root, 'after_rollback.log'), 'utf8').trim()).toBe(`rolled-back-to=${live.replace('releases/', '')}`);
    expect(readdirSync(join(root, 'releases'))).toEqual([live.replace('releases/', '')]);

    // With a healthy build the same config deploys.
    writeFileSync(join(dir, 'build/healthy'), 'yes');
    expect((await runCli(['deploy', 'local'], { cwd: dir })).code).toBe(0);
    expect(readlinkSync(join(root, 'current'))).not.toBe(live);
  }, 60_000);
});
