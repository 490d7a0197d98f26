import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The local checkout's commit (and whether it has uncommitted changes), when there is one. */
export function localRevision(dir: string): Promise<{ commit: string; dirty: boolean } | undefined> {
  // No repository around: no git process (a fork of this process and an exec, while the deploy
  // is connecting and reading the build on a machine that may have two cores).
  if (!process.env.GIT_DIR && !insideGitCheckout(dir)) return Promise.resolve(undefined);
  const git = (args: string[]) =>
    new Promise<string | undefined>((resolve) =>
      execFile('git', args, { cwd: dir, timeout: 5000 }, (err, stdout) => resolve(err ? undefined : stdout.trim())),
    );
  return git(['rev-parse', 'HEAD']).then(async (commit) => {
    if (!commit) return undefined;
    const status = await git(['status', '--porcelain', '--untracked-files=no']);
    return { commit, dirty: Boolean(status) };
  });
}

/** A `.git` (directory, or file of a worktree or submodule) in dir or any directory above it. */
export function insideGitCheckout(dir: string): boolean {
  for (let d = resolve(dir), i = 0; i < 256; d = dirname(d), i++) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
  return false;
}
