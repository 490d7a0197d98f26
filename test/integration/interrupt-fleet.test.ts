// SIGINT over SSH on 3 real sshd hosts, at each phase: while connecting, during the lock round,
// while waiting for a held lock, mid-upload, mid before_switch hook, mid after_switch hook; and
// twice in a row. The hosts log in as the harness's non-root `deploy` user: sshd refuses "signal"
// requests for root sessions, so only there does an abort reach the remote command.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';
import { runCli, startCli, type RunningCli } from '../support/cli.js';
import { makeFleetApp } from '../support/fleet-app.js';
import { liveLink, lockFile, releaseDirs } from '../support/release-check.js';

let fleet: Fleet;
let dir: string;
const root = (h: SshdHost) => join(h.root, 'app');
const state = () => fleet.hosts.map((h) => ({ host: h.alias, live: liveLink(root(h)), releases: releaseDirs(root(h)), lock: lockFile(root(h)) }));

beforeAll(async () => {
  fleet = await startHosts(3);
  ({ dir } = makeFleetApp(fleet));
  const { uid, gid } = fleet.deployUser;
  for (const h of fleet.hosts) await fleet.run(h, `mkdir -p /srv/app && chown ${uid}:${gid} /srv/app`);
  writeFileSync(join(dir, 'deploy.yml'), configWith(''));
  const hooks = (hook: string, run: string) => `tasks:\n  slow: { run: ${JSON.stringify(run)} }\nhooks: { ${hook}: [slow] }`;
  // A hook that would leave a mark if it were not stopped by the interrupt.
  const marked = 'echo slow-started; sleep 4; touch {{deploy_to}}/hook-ran-to-the-end';
  writeFileSync(join(dir, 'before.yml'), configWith(hooks('before_switch', marked)));
  writeFileSync(join(dir, 'after.yml'), configWith(hooks('after_switch', marked)));
  writeFileSync(join(dir, 'stubborn.yml'), configWith(hooks('before_switch', "trap '' INT TERM HUP; echo slow-started; sleep 6")));
  for (const args of [['setup', 'production'], ['deploy', 'production']]) {
    const r = await runCli(args, { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
}, 60_000);
afterAll(() => fleet?.stop(), 30_000);

let tried = 0;
let safe = 0;
afterAll(() => console.log(`interrupts over SSH: ${tried} cases tried, ${safe} safe (exit 130, locks released, current untouched or switched back)`));

function configWith(extra: string): string {
  return `app: fleet-demo
keep_releases: 3
source: { build: ./build }
ssh: { config_file: ${JSON.stringify(fleet.sshConfig)} }
${extra}
stages:
  production:
    deploy_to: /srv/app
    user: deploy
    hosts: [web1, web2, web3]
`;
}

const marks = () => fleet.hosts.filter((h) => existsSync(join(root(h), 'hook-ran-to-the-end'))).map((h) => h.alias);

/** SIGINT at a moment; returns the result and how long the exit took after the signal. */
async function interruptAt(run: RunningCli, moment: RegExp | (() => Promise<void>)) {
  if (moment instanceof RegExp) await run.waitFor(moment, 30_000);
  else await moment();
  const t0 = Date.now();
  run.signal('SIGINT');
  const r = await run.done;
  return { ...r, out: r.stdout + r.stderr, ms: Date.now() - t0 };
}

describe('SIGINT during a deploy to 3 sshd hosts', () => {
  it('before the lock (while connecting): exit 130, no lock taken, nothing created', async () => {
    tried++;
    const before = state();
    writeFileSync(join(dir, 'build/index.html'), 'v-before-lock\n');
    const run = startCli(['deploy', 'production', '--verbose'], { cwd: dir });
    const r = await interruptAt(run, /phase connect started/);
    expect(r.code, r.out).toBe(130);
    expect(r.out).toContain('interrupted before the lock: no lock kept, nothing changed on any host');
    expect(r.out).not.toMatch(/E_STEP_FAILED|phase prepare started/);
    expect(state()).toEqual(before);
    safe++;
  }, 60_000);

  it('during the lock round: exit 130, no lock left on any host', async () => {
    tried++;
    // A big cache listing makes the state read after the lock take a moment: the interrupt
    // arrives after "taken" was printed and before the round ends.
    const sums = fleet.hosts.map((h) => join(root(h), '.shipyaml/cache.sums'));
    const line = `${'0'.repeat(32)}  ./some/long/path/to/a/file/that/is/not/there.bin\n`;
    for (const f of sums) writeFileSync(f, line.repeat(Math.ceil(2e6 / line.length)));
    try {
      const before = state();
      const run = startCli(['deploy', 'production', '--verbose'], { cwd: dir });
      const r = await interruptAt(run, /\] out: taken/);
      expect(r.code, r.out).toBe(130);
      expect(r.out).toContain('interrupted before the lock: no lock kept, nothing changed on any host');
      expect(r.out).not.toMatch(/phase prepare started/);
      expect(state()).toEqual(before);
    } finally {
      for (const f of sums) rmSync(f, { force: true });
    }
    safe++;
  }, 60_000);

  it('while waiting for a lock another run holds (--wait-lock): exit 130, that lock left alone', async () => {
    tried++;
    const other = JSON.stringify({ user: 'someone', machine: 'elsewhere', pid: 1, since: new Date().toISOString(), command: 'deploy', token: 'not-ours' });
    writeFileSync(join(root(fleet.hosts[1]!), '.shipyaml/lock'), `${other}\n`);
    try {
      const before = state();
      const run = startCli(['deploy', 'production', '--verbose', '--wait-lock', '60s'], { cwd: dir });
      // Wait until a lock round has come back "held" at least once.
      const r = await interruptAt(run, /\[web2\] out: held/);
      expect(r.out).toContain('interrupted before the lock: no lock kept');
      expect(r.code, r.out).toBe(130);
      expect(r.ms).toBeLessThan(10_000);
      expect(state()).toEqual(before);
    } finally {
      rmSync(join(root(fleet.hosts[1]!), '.shipyaml/lock'), { force: true });
    }
    safe++;
  }, 60_000);

  it('mid-upload: exit 130, the new release removed and every lock released on every host', async () => {
    tried++;
    const before = state();
    for (let i = 0; i < 100; i++) {
      mkdirSync(join(dir, `build/big${i % 5}`), { recursive: true });
      writeFileSync(join(dir, `build/big${i % 5}/f${i}.bin`), randomBytes(200_000));
    }
    const run = startCli(['deploy', 'production', '--verbose', '--full'], { cwd: dir });
    const r = await interruptAt(run, /\] upload started/);
    expect(r.code, r.out).toBe(130);
    expect(r.out).toMatch(/interrupted before the switch: release \d{8}-\d{6}\S* removed on every host, locks released; every host is still on \d{8}-\d{6}(-\d+)?/);
    expect(r.ms).toBeLessThan(15_000);
    expect(state()).toEqual(before);
    rmSync(join(dir, 'build'), { recursive: true });
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'build/index.html'), 'v1\n');
    safe++;
  }, 60_000);

  it('mid before_switch hook: exit 130 within seconds, release removed, locks released, the hook stopped', async () => {
    tried++;
    const before = state();
    const run = startCli(['-c', 'before.yml', 'deploy', 'production', '--verbose'], { cwd: dir });
    const r = await interruptAt(run, () => Promise.all(['web1', 'web2', 'web3'].map((h) => run.waitFor(new RegExp(`\\[${h}\\] out: slow-started`), 30_000))).then(() => {}));
    expect(r.code, r.out).toBe(130);
    expect(r.out).toMatch(/interrupted before the switch: release \S+ removed on every host, locks released/);
    expect(r.ms).toBeLessThan(10_000);
    expect(state()).toEqual(before);
    // The hook (sleep 4, then a mark) must not go on running on the servers after the interrupt.
    await new Promise((res) => setTimeout(res, 5_000));
    expect(marks(), 'hosts where the interrupted hook ran to its end').toEqual([]);
    safe++;
  }, 60_000);

  it('mid after_switch hook: exit 130, every host back on the old release, and the output says so', async () => {
    tried++;
    const before = state();
    writeFileSync(join(dir, 'build/index.html'), 'v-after\n');
    const run = startCli(['-c', 'after.yml', 'deploy', 'production', '--verbose'], { cwd: dir });
    const r = await interruptAt(run, () => Promise.all(['web1', 'web2', 'web3'].map((h) => run.waitFor(new RegExp(`\\[${h}\\] out: slow-started`), 30_000))).then(() => {}));
    expect(r.code, r.out).toBe(130);
    expect(r.out).toContain(`interrupted during the switch: every host was switched back; every host is still on ${before[0]!.live!.replace('releases/', '')}`);
    expect(state()).toEqual(before);
    await new Promise((res) => setTimeout(res, 5_000));
    expect(marks(), 'hosts where the interrupted hook ran to its end').toEqual([]);
    safe++;
  }, 60_000);

  it('SIGINT twice: exits at once naming every lock and the partial release; unlock + cleanup clear them', async () => {
    tried++;
    const before = state();
    writeFileSync(join(dir, 'build/index.html'), 'v-twice\n');
    const run = startCli(['-c', 'stubborn.yml', 'deploy', 'production', '--verbose'], { cwd: dir });
    await Promise.all(['web1', 'web2', 'web3'].map((h) => run.waitFor(new RegExp(`\\[${h}\\] out: slow-started`), 30_000)));
    run.signal('SIGINT');
    await run.waitFor(/stopping safely/);
    const t0 = Date.now();
    run.signal('SIGINT');
    const r = await run.done;
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('exiting at once');
    const id = /partial release (\d{8}-\d{6}(?:-\d+)?)/.exec(r.stderr)?.[1];
    expect(id, r.stderr).toBeDefined();
    for (const h of ['web1', 'web2', 'web3']) {
      expect(r.stderr).toContain(`${h}:/srv/app/.shipyaml/lock`);
      expect(r.stderr).toContain(`${h}:/srv/app/releases/${id}`);
    }
    expect(r.stderr).toContain('shipyaml unlock production && shipyaml cleanup production');
    // What it said it left is what is there…
    const left = state();
    for (const [i, h] of left.entries()) {
      expect(h.live, h.host).toBe(before[i]!.live);
      expect(h.lock, h.host).toBeDefined();
      expect(h.releases, h.host).toContain(id);
    }
    // …and the commands it named clear it (once the stubborn hook has ended on the servers).
    await new Promise((res) => setTimeout(res, 6_500));
    for (const cmd of ['unlock', 'cleanup']) {
      const c = await runCli([cmd, 'production'], { cwd: dir });
      expect(c.code, c.stdout + c.stderr).toBe(0);
    }
    expect(state()).toEqual(before);
    safe++;
  }, 60_000);
});
