// Builders for a release taken from git (source: { git: { repo, ref } }). Each host keeps a bare
// mirror of the repository in .shipyaml/repo (the tool's own state, never inside a release),
// updates it on every deploy, resolves the ref to one commit, and exports that commit into the
// fresh release with `git archive | tar`: no .git directory in a release, and old releases are
// never read. Every value goes through quote(); the scripts are POSIX sh. Each command that must
// stop the step says `|| exit 1` itself: a step runs inside `( … ) || …` (plan/batch.ts), where
// POSIX shells ignore set -e.
import { posix } from 'node:path';
import { script, type Cmd } from '../shell/cmd.js';
import { quote } from '../shell/quote.js';
import { releasePath, type Layout } from './layout.js';

/**
 * The git server's host key must already be in the host's known_hosts: a changed or unknown key
 * fails the fetch (never StrictHostKeyChecking=no, never accept-new), and nothing may wait for a
 * password or a passphrase. Agent forwarding is the transport's business (ssh.forward_agent).
 */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_SSH_COMMAND: 'ssh -o StrictHostKeyChecking=yes -o BatchMode=yes',
  GIT_TERMINAL_PROMPT: '0',
};

export const mirrorPath = (l: Layout): string => posix.join(l.state, 'repo');

/** The line the fetch step prints last; parseFetchedCommit reads it back. */
const COMMIT_LINE = /^commit ([0-9a-f]{40}|[0-9a-f]{64})$/m;

export function parseFetchedCommit(stdout: string): string | undefined {
  return COMMIT_LINE.exec(stdout)?.[1];
}

/**
 * Clones the mirror the first time (into a temporary name, renamed when complete, so a killed
 * clone never looks like a mirror), else points it at the configured URL and fetches, pruning
 * refs deleted upstream. Then resolves the ref to a commit and prints `commit <sha>`.
 */
export function fetchMirror(l: Layout, repo: string, ref: string): Cmd {
  const q = quote;
  const mirror = mirrorPath(l);
  const gitDir = `--git-dir=${q(mirror)}`;
  return script(
    [
      `if git ${gitDir} rev-parse --is-bare-repository >/dev/null 2>&1; then`,
      `  git ${gitDir} remote set-url origin ${q(repo)} || exit 1`,
      `  git ${gitDir} remote update --prune || exit 1`,
      `else`,
      `  rm -rf ${q(mirror)} ${q(`${mirror}.new`)}`,
      `  git clone --mirror --quiet -- ${q(repo)} ${q(`${mirror}.new`)} || exit 1`,
      `  mv ${q(`${mirror}.new`)} ${q(mirror)} || exit 1`,
      `fi`,
      `commit=$(git ${gitDir} rev-parse --verify --quiet ${q(`${ref}^{commit}`)}) || {`,
      `  echo ${q(`ref ${ref} is not a commit, branch or tag in ${repo}`)} >&2; exit 1; }`,
      `echo "commit $commit"`,
    ].join('\n'),
    { env: { ...GIT_ENV } },
  );
}

/**
 * The commit's tree into the fresh release. A POSIX pipeline reports only tar's status, so a
 * failing `git archive` leaves a mark that is checked after it. `commit` is a resolved sha on a
 * deploy; `plan` (which reads no server) passes the ref, peeled the same way.
 */
export function exportCommit(l: Layout, id: string, commit: string): Cmd {
  const q = quote;
  const failed = posix.join(l.state, 'export.failed');
  return script(
    [
      `rm -f ${q(failed)}`,
      `{ git --git-dir=${q(mirrorPath(l))} archive --format=tar ${q(commit)} || echo failed > ${q(failed)}; } | tar -xof - -C ${q(releasePath(l, id))} || exit 1`,
      `if [ -e ${q(failed)} ]; then rm -f ${q(failed)}; echo ${q(`git archive of ${commit} failed`)} >&2; exit 1; fi`,
      `echo ${q(`exported ${commit}`)}`,
    ].join('\n'),
    { env: { ...GIT_ENV } },
  );
}
