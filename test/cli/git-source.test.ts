// Deploying from git on the local target: a bare mirror under .shipyaml/repo, the ref resolved to
// one commit, exported into a fresh release, the commit recorded in the log and shown by
// `releases`; and the same with the repository reached over a real sshd (test harness), where the
// git server's host key must be known.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync as makeTemp, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet } from '../harness/sshd.js';
import { runCli, type CliResult } from '../support/cli.js';

/** Temp dirs of this file, removed when its tests are done. */
const temps: string[] = [];
function mkdtempSync(prefix: string): string {
  const d = makeTemp(prefix);
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A bare repository at `bare` and a working clone that pushes to it; returns a commit helper. */
function repository(bare: string): { work: string; commit: (files: Record<string, string>, message: string) => string } {
  const base = mkdtempSync(join(tmpdir(), 'shipyaml-git-'));
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '--quiet', '--bare');
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  const work = join(base, 'work');
  git(base, 'clone', '--quiet', bare, work);
  git(work, 'checkout', '--quiet', '-B', 'main');
  return {
    work,
    commit(files, message) {
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(join(work, rel, '..'), { recursive: true });
        writeFileSync(join(work, rel), text);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '-m', message);
      git(work, 'push', '--quiet', 'origin', 'HEAD:main');
      return git(work, 'rev-parse', 'HEAD');
    },
  };
}

function app(source: string): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shipyaml-gitapp-'));
  writeFileSync(join(dir, 'deploy.yml'), `app: from-git\nsource:\n  git: ${source}\nstages:\n  local:\n    hosts: [{ local: true }]\n    deploy_to: ./srv\n`);
  return { dir, root: join(dir, 'srv') };
}

const log = (root: string) => readFileSync(join(root, '.shipyaml/log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const liveId = (root: string) => readlinkSync(join(root, 'current')).replace('releases/', '');

function expectOk(r: CliResult, what: string): void {
  expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
}

describe('git source from a local bare repository', () => {
  it('exports the ref\'s commit into a fresh release, records the commit, and `releases` shows it', async () => {
    const bare = join(mkdtempSync(join(tmpdir(), 'shipyaml-bare-')), 'app.git');
    const repo = repository(bare);
    const first = repo.commit({ 'index.html': 'v1\n', 'bin/run': '#!/bin/sh\necho run\n' }, 'one');
    git(repo.work, 'update-index', '--chmod=+x', 'bin/run');
    const { dir, root } = app(`{ repo: ${JSON.stringify(bare)}, ref: main }`);

    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'first deploy');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('v1\n');
    expect(existsSync(join(root, 'current/.git'))).toBe(false);
    expect(git(join(root, '.shipyaml/repo'), 'rev-parse', '--is-bare-repository')).toBe('true');
    expect(log(root)[0]).toMatchObject({ action: 'deploy', status: 'ok', id: liveId(root), revision: first });

    const second = repo.commit({ 'index.html': 'v2\n' }, 'two');
    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'second deploy');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('v2\n');
    expect(log(root)[1]).toMatchObject({ status: 'ok', id: liveId(root), revision: second });

    const list = await runCli(['releases', 'local'], { cwd: dir });
    expectOk(list, 'releases');
    expect(list.stdout).toMatch(new RegExp(`\\*\\s+${liveId(root)}\\s+all 1\\s+live\\s+${second.slice(0, 10)}`));
    expect(list.stdout).toContain(first.slice(0, 10));
  }, 90_000);

  it('fetches into the mirror each deploy: a tag deploys its commit, a deleted branch is pruned', async () => {
    const bare = join(mkdtempSync(join(tmpdir(), 'shipyaml-bare-')), 'app.git');
    const repo = repository(bare);
    const tagged = repo.commit({ 'index.html': 'release 1.0\n' }, 'one');
    git(repo.work, 'tag', '-a', 'v1.0', '-m', 'v1.0');
    git(repo.work, 'push', '--quiet', 'origin', 'v1.0', 'HEAD:refs/heads/feature');
    repo.commit({ 'index.html': 'after the tag\n' }, 'two');

    const { dir, root } = app(`{ repo: "file://${bare}", ref: v1.0 }`);
    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'deploy the tag');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('release 1.0\n');
    expect(log(root)[0]!.revision).toBe(tagged); // the commit, not the annotated tag object
    expect(git(join(root, '.shipyaml/repo'), 'branch', '--list', 'feature')).toContain('feature');

    git(repo.work, 'push', '--quiet', 'origin', ':feature');
    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'deploy again');
    expect(git(join(root, '.shipyaml/repo'), 'branch', '--list', 'feature')).toBe('');
  }, 90_000);

  it('a ref that does not exist fails before any release is made, and the lock is released', async () => {
    const bare = join(mkdtempSync(join(tmpdir(), 'shipyaml-bare-')), 'app.git');
    repository(bare).commit({ 'index.html': 'v1\n' }, 'one');
    const { dir, root } = app(`{ repo: ${JSON.stringify(bare)}, ref: no-such-branch }`);
    const r = await runCli(['deploy', 'local'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ref no-such-branch is not a commit, branch or tag in ${bare}`);
    expect(existsSync(join(root, 'current'))).toBe(false);
    expect(spawnSync('ls', [join(root, 'releases')], { encoding: 'utf8' }).stdout).toBe('');
    expect(existsSync(join(root, '.shipyaml/lock'))).toBe(false);
  }, 60_000);

  it('plan shows the fetch and the export of the ref, and connects nowhere', async () => {
    const { dir } = app('{ repo: "ssh://git@git.example.com/app.git", ref: main }');
    const r = await runCli(['plan', 'local'], { cwd: dir });
    expectOk(r, 'plan');
    expect(r.stdout).toContain("GIT_SSH_COMMAND='ssh -o StrictHostKeyChecking=yes -o BatchMode=yes'; export GIT_SSH_COMMAND");
    expect(r.stdout).toContain("git clone --mirror --quiet -- ssh://git@git.example.com/app.git");
    expect(r.stdout).toMatch(/archive --format=tar 'main\^\{commit\}' \|\| echo failed/);
    expect(r.stdout).not.toMatch(/StrictHostKeyChecking=no|accept-new/);
  }, 60_000);
});

describe('upload source: the revision is the local checkout\'s commit', () => {
  it('records the commit, and whether the checkout had uncommitted changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipyaml-checkout-'));
    git(dir, 'init', '--quiet');
    writeFileSync(join(dir, 'deploy.yml'), 'app: checkout\nsource: { build: ./public }\nstages:\n  local:\n    hosts: [{ local: true }]\n    deploy_to: ./srv\n');
    mkdirSync(join(dir, 'public'));
    writeFileSync(join(dir, 'public/index.html'), 'v1\n');
    writeFileSync(join(dir, '.gitignore'), 'srv/\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '--quiet', '-m', 'one');
    const head = git(dir, 'rev-parse', 'HEAD');
    const root = join(dir, 'srv');
    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'clean deploy');
    writeFileSync(join(dir, 'public/index.html'), 'edited, not committed\n');
    expectOk(await runCli(['deploy', 'local'], { cwd: dir }), 'dirty deploy');
    expect(log(root).map((e) => [e.revision, e.dirty])).toEqual([
      [head, false],
      [head, true],
    ]);
  }, 60_000);
});

// Needs root, sshd and unshare (the harness); the repository lives on the test host's private /srv.
const canHarness = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v sshd && command -v unshare'], { encoding: 'utf8' }).status === 0;

describe('git source over the test sshd', () => {
  // Not skipped without the harness: that would pass without testing anything.
  it('has what the sshd harness needs (root, sshd, unshare)', () => {
    expect(canHarness, 'run as root with openssh-server and util-linux installed (see .ci/run)').toBe(true);
  });
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startHosts(1, { prefix: 'git' });
  }, 60_000);
  afterAll(() => fleet?.stop(), 30_000);

  /**
   * What the deploy user's ~/.ssh/config does on a real server: which key and known_hosts to use.
   * ssh reads ~/.ssh from the passwd entry, not $HOME, so a stand-in `ssh` first on PATH adds them
   * (and records its arguments); the host-key options shipyaml passes still come first and win.
   */
  function sshWithKnownHosts(dir: string, knownHosts: string): NodeJS.ProcessEnv {
    const bin = join(dir, 'ssh-bin');
    mkdirSync(bin, { recursive: true });
    const argsLog = join(dir, 'ssh-args.log');
    const sshPath = spawnSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      join(bin, 'ssh'),
      `#!/bin/sh\necho "$*" >> ${JSON.stringify(argsLog)}\nexec ${sshPath} -o UserKnownHostsFile=${knownHosts} -o IdentityFile=${fleet.clientKey} -o IdentitiesOnly=yes "$@"\n`,
    );
    chmodSync(join(bin, 'ssh'), 0o755);
    return { PATH: `${bin}:${process.env.PATH}` };
  }

  it('git source from a local bare repository reached over the test sshd, with the commit recorded', async () => {
    const host = fleet.hosts[0]!;
    // Made here, then copied into the host's private /srv (from inside its namespace: the path
    // /proc/PID/root/srv that reaches it from outside resolves to our own /srv in git).
    const made = join(mkdtempSync('/var/tmp/shipyaml-bare-'), 'app.git');
    const commit = repository(made).commit({ 'index.html': 'over ssh\n' }, 'one');
    const copied = await fleet.run(host, `cp -a ${made} /srv/app.git`);
    expect(copied.code, copied.stderr).toBe(0);
    const { dir, root } = app(`{ repo: "ssh://root@127.0.0.1:${host.port}/srv/app.git", ref: main }`);
    const env = sshWithKnownHosts(dir, fleet.knownHosts);

    const before = fleet.acceptedConnections(host);
    const r = await runCli(['deploy', 'local'], { cwd: dir, env });
    expectOk(r, 'deploy over ssh');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('over ssh\n');
    expect(log(root)[0]).toMatchObject({ status: 'ok', revision: commit });
    expect(fleet.acceptedConnections(host)).toBe(before + 1);
    const sshArgs = readFileSync(join(dir, 'ssh-args.log'), 'utf8');
    expect(sshArgs).toMatch(/^-o StrictHostKeyChecking=yes -o BatchMode=yes .*-p \d+ root@127\.0\.0\.1 git-upload-pack '\/srv\/app\.git'$/m);
    const list = await runCli(['releases', 'local'], { cwd: dir, env });
    expect(list.stdout).toContain(commit.slice(0, 10));
  }, 90_000);

  it('an unknown git server host key fails the deploy before a release is made (never accepted on sight)', async () => {
    const host = fleet.hosts[0]!;
    const { dir, root } = app(`{ repo: "ssh://root@127.0.0.1:${host.port}/srv/app.git", ref: main }`);
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const r = await runCli(['deploy', 'local'], { cwd: dir, env: sshWithKnownHosts(dir, empty) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Host key verification failed|No ED25519 host key is known/);
    expect(existsSync(join(root, 'current'))).toBe(false);
    expect(readFileSync(empty, 'utf8')).toBe(''); // nothing was learnt
  }, 60_000);
});
