// localRevision's first check (src/app/revision.ts): git runs only where a checkout can be.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { insideGitCheckout, localRevision } from '../../src/app/revision.js';

const base = mkdtempSync(join(tmpdir(), 'shipyaml-rev-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('insideGitCheckout', () => {
  it('finds .git in the directory or any above it, as a directory or a worktree file', () => {
    mkdirSync(join(base, 'repo/.git'), { recursive: true });
    mkdirSync(join(base, 'repo/apps/web'), { recursive: true });
    mkdirSync(join(base, 'wt/sub'), { recursive: true });
    writeFileSync(join(base, 'wt/.git'), 'gitdir: /elsewhere/.git/worktrees/wt\n');
    mkdirSync(join(base, 'plain/app'), { recursive: true });
    expect(insideGitCheckout(join(base, 'repo'))).toBe(true);
    expect(insideGitCheckout(join(base, 'repo/apps/web'))).toBe(true);
    expect(insideGitCheckout(join(base, 'wt/sub'))).toBe(true);
    expect(insideGitCheckout(join(base, 'plain/app'))).toBe(false);
  });

  it('outside any checkout there is no revision and no git process; inside one, git runs', async () => {
    // A git on PATH that only records that it ran.
    const bin = join(base, 'bin');
    const ran = join(base, 'git-ran');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$@" >> '${ran}'\nexit 1\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      expect(await localRevision(join(base, 'plain/app'))).toBeUndefined();
      expect(existsSync(ran)).toBe(false);
      expect(await localRevision(join(base, 'repo/apps/web'))).toBeUndefined(); // the stand-in fails
      expect(readFileSync(ran, 'utf8')).toBe('rev-parse HEAD\n');
    } finally {
      process.env.PATH = saved;
    }
  });
});
