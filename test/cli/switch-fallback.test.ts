import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';
import { toolShim } from '../support/tool-shim.js';

/** Deploys a build saying "one", then one saying "two", each live after its deploy. */
async function deployOneThenTwo(dir: string, root: string, env: Record<string, string>): Promise<void> {
  for (const v of ['one', 'two']) {
    writeFileSync(join(dir, 'build/index.html'), v);
    const r = await runCli(['deploy', 'local'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe(v);
  }
}

/**
 * BSD and busybox `mv` have no -T. A wrapper that refuses -T (as they do) stands in for them:
 * the switch must still be one rename, end on the new release, and leave nothing behind.
 */
describe('the switch where mv has no -T', () => {
  it('falls back to a rename through .shipyaml/ and verifies the link', async () => {
    const { dir, root } = makeApp(localStage());
    const { env, log } = toolShim(dir, 'mv', { option: '-T', complaint: 'illegal option -- T' });
    await deployOneThenTwo(dir, root, env);
    const calls = readFileSync(log, 'utf8');
    expect(calls).toMatch(/mv -T .*current\.new .*current/);
    expect(calls).toMatch(/mv -f .*\.shipyaml\/switch\/current .*\//);
    expect(readlinkSync(join(root, 'current'))).toMatch(/^releases\/\d{8}-\d{6}(-\d+)?$/);
    expect(existsSync(join(root, 'current.new'))).toBe(false);
    expect(existsSync(join(root, '.shipyaml/switch/current'))).toBe(false);
    const back = await runCli(['rollback', 'local'], { cwd: dir, env });
    expect(back.code).toBe(0);
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('one');
  }, 60_000);

  it('refuses to switch when current is a real directory, and changes nothing', async () => {
    const { dir, root } = makeApp(localStage());
    mkdirSync(join(root, 'current'), { recursive: true });
    writeFileSync(join(root, 'current/index.html'), 'hand-made');
    const r = await runCli(['deploy', 'local'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_SWITCH');
    expect(r.stderr).toContain('not a symlink');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('hand-made');
  }, 30_000);

  it('copies the cache into the release where cp has no --reflink (busybox, BSD), and the release is a copy, not links', async () => {
    const { dir, root } = makeApp(localStage());
    const { env, log } = toolShim(dir, 'cp', { option: '--reflink*', complaint: 'unrecognized option: reflink' });
    await deployOneThenTwo(dir, root, env);
    const calls = readFileSync(log, 'utf8');
    expect(calls).toMatch(/cp --reflink=auto -RPp .*\.shipyaml\/cache\/\. /);
    expect(calls).toMatch(/^cp -RPp .*\.shipyaml\/cache\/\. /m);
    // Not linked to the cache: an edit in the live release stays there.
    writeFileSync(join(root, 'current/index.html'), 'hand edit');
    expect(readFileSync(join(root, '.shipyaml/cache/index.html'), 'utf8')).toBe('two');
  }, 60_000);
});
