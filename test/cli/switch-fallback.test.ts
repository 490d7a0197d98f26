import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';

/**
 * BSD and busybox `mv` have no -T. A wrapper that refuses -T (as they do) stands in for them:
 * the switch must still be one rename, end on the new release, and leave nothing behind.
 */
describe('the switch where mv has no -T', () => {
  it('falls back to a rename through .shipyaml/ and verifies the link', async () => {
    const { dir, root } = makeApp(localStage());
    const bin = join(dir, 'bsd-bin');
    mkdirSync(bin);
    const log = join(dir, 'mv.log');
    writeFileSync(
      join(bin, 'mv'),
      `#!/bin/sh\necho "mv $*" >> '${log}'\nfor a in "$@"; do case "$a" in -T) echo "mv: illegal option -- T" >&2; exit 64;; esac; done\nexec /bin/mv "$@"\n`,
    );
    chmodSync(join(bin, 'mv'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    for (const v of ['one', 'two']) {
      writeFileSync(join(dir, 'build/index.html'), v);
      const r = await runCli(['deploy', 'local'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe(v);
    }
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
    const bin = join(dir, 'bsd-bin');
    mkdirSync(bin);
    const log = join(dir, 'cp.log');
    writeFileSync(
      join(bin, 'cp'),
      `#!/bin/sh\necho "cp $*" >> '${log}'\nfor a in "$@"; do case "$a" in --reflink*) echo "cp: unrecognized option: reflink" >&2; exit 1;; esac; done\nexec /bin/cp "$@"\n`,
    );
    chmodSync(join(bin, 'cp'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    for (const v of ['one', 'two']) {
      writeFileSync(join(dir, 'build/index.html'), v);
      const r = await runCli(['deploy', 'local'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe(v);
    }
    const calls = readFileSync(log, 'utf8');
    expect(calls).toMatch(/cp --reflink=auto -RPp .*\.shipyaml\/cache\/\. /);
    expect(calls).toMatch(/^cp -RPp .*\.shipyaml\/cache\/\. /m);
    // Not linked to the cache: an edit in the live release stays there.
    writeFileSync(join(root, 'current/index.html'), 'hand edit');
    expect(readFileSync(join(root, '.shipyaml/cache/index.html'), 'utf8')).toBe('two');
  }, 60_000);
});
