// The git source's commands as exact strings (they are what `plan` prints), and hostile repo and
// ref values round-tripped through a real sh into git's argv unchanged.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StageConfig } from '../../src/config/stage-config.js';
import { buildDeployPlan } from '../../src/plan/build-plan.js';
import { exportCommit, fetchMirror, parseFetchedCommit } from '../../src/plan/git-steps.js';
import { layout } from '../../src/plan/layout.js';
import { renderCmd } from '../../src/shell/cmd.js';

const l = layout('/srv/www/app');
const ENV = ["GIT_SSH_COMMAND='ssh -o StrictHostKeyChecking=yes -o BatchMode=yes'; export GIT_SSH_COMMAND", 'GIT_TERMINAL_PROMPT=0; export GIT_TERMINAL_PROMPT', 'set -e'];

describe('git builders', () => {
  it('fetchMirror: clone --mirror once (renamed when complete), else set-url and remote update --prune; then the commit', () => {
    expect(renderCmd(fetchMirror(l, 'git@github.com:acme/app.git', 'main'))).toBe(
      [
        ...ENV,
        'if git --git-dir=/srv/www/app/.shipyaml/repo rev-parse --is-bare-repository >/dev/null 2>&1; then',
        '  git --git-dir=/srv/www/app/.shipyaml/repo remote set-url origin git@github.com:acme/app.git || exit 1',
        '  git --git-dir=/srv/www/app/.shipyaml/repo remote update --prune || exit 1',
        'else',
        '  rm -rf /srv/www/app/.shipyaml/repo /srv/www/app/.shipyaml/repo.new',
        '  git clone --mirror --quiet -- git@github.com:acme/app.git /srv/www/app/.shipyaml/repo.new || exit 1',
        '  mv /srv/www/app/.shipyaml/repo.new /srv/www/app/.shipyaml/repo || exit 1',
        'fi',
        "commit=$(git --git-dir=/srv/www/app/.shipyaml/repo rev-parse --verify --quiet 'main^{commit}') || {",
        "  echo 'ref main is not a commit, branch or tag in git@github.com:acme/app.git' >&2; exit 1; }",
        'echo "commit $commit"',
      ].join('\n'),
    );
  });

  it('exportCommit: git archive | tar into the fresh release, a failed archive caught after the pipe', () => {
    const sha = 'c2ef89f5d0f78600e903fd9eecb27a091c9664a9';
    expect(renderCmd(exportCommit(l, '20260415-093301', sha))).toBe(
      [
        ...ENV,
        'rm -f /srv/www/app/.shipyaml/export.failed',
        `{ git --git-dir=/srv/www/app/.shipyaml/repo archive --format=tar ${sha} || echo failed > /srv/www/app/.shipyaml/export.failed; } | tar -xof - -C /srv/www/app/releases/20260415-093301 || exit 1`,
        `if [ -e /srv/www/app/.shipyaml/export.failed ]; then rm -f /srv/www/app/.shipyaml/export.failed; echo 'git archive of ${sha} failed' >&2; exit 1; fi`,
        `echo 'exported ${sha}'`,
      ].join('\n'),
    );
  });

  it('reads the commit back from the fetch output (sha-1 and sha-256 repositories)', () => {
    expect(parseFetchedCommit(`Fetching origin\ncommit ${'a'.repeat(40)}\n`)).toBe('a'.repeat(40));
    expect(parseFetchedCommit(`commit ${'b'.repeat(64)}\n`)).toBe('b'.repeat(64));
    expect(parseFetchedCommit('commit main\n')).toBeUndefined();
  });

  it('a git stage plans fetch and export instead of upload; the resolved commit is what is exported', () => {
    const stage = {
      app: 'app',
      stage: 'production',
      source: { kind: 'git', repo: '/srv/repo.git', ref: 'v1.0' },
      shared: { files: [], dirs: [] },
      vars: {},
      tasks: {},
      hooks: { before_switch: [], after_switch: [], after_rollback: [] },
      hosts: [{ name: 'web1', local: false, hostname: 'web1', roles: [], deployTo: '/srv/www/app', vars: {} }],
    } as unknown as StageConfig;
    const [host] = buildDeployPlan({ stage, releaseId: '20260415-093301', states: new Map(), git: { commit: 'f'.repeat(40) } }).hosts;
    expect(host!.fetch?.name).toBe('fetch');
    expect(host!.prepare.map((s) => [s.name, s.kind])).toEqual([
      ['create_release', 'command'],
      ['export', 'command'],
      ['link_shared', 'command'],
    ]);
    expect(renderCmd(host!.prepare[1]!.cmd)).toContain(`archive --format=tar ${'f'.repeat(40)} ||`);
    const [shown] = buildDeployPlan({ stage, releaseId: '20260415-093301', states: new Map() }).hosts;
    expect(renderCmd(shown!.prepare[1]!.cmd)).toContain("archive --format=tar 'v1.0^{commit}' ||");
  });
});

describe('hostile values reach git as data', () => {
  const HOSTILE = ["'; touch PWNED; '", '$(touch PWNED)', '`touch PWNED`', 'a"b\\c', 'with space'];

  it.each(HOSTILE)('%s', (value) => {
    const dir = mkdtempSync(join(tmpdir(), 'shipyaml-git-quote-'));
    mkdirSync(join(dir, 'bin'));
    // A stand-in git that records each argument on its own line and fails like a missing repo.
    writeFileSync(join(dir, 'bin/git'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> ${JSON.stringify(join(dir, 'argv'))}\nexit 1\n`);
    chmodSync(join(dir, 'bin/git'), 0o755);
    const cmd = renderCmd(fetchMirror(layout(join(dir, 'srv')), value, value));
    const run = spawnSync('sh', ['-c', cmd], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
    expect(run.status).toBe(1);
    const argv = readFileSync(join(dir, 'argv'), 'utf8').split('\n');
    expect(argv).toContain(value); // the clone's URL, one argument, unchanged
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).not.toContain('PWNED');
  });
});
