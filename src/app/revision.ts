import { execFile } from 'node:child_process';

/** The local checkout's commit (and whether it has uncommitted changes), when there is one. */
export function localRevision(dir: string): Promise<{ commit: string; dirty: boolean } | undefined> {
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
