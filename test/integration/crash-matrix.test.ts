// kill -9 of shipyaml at every phase boundary and mid-transfer, on 3 real sshd hosts. After each
// crash: `current` on every host is a complete release of the build it came from, the next deploy
// reports the lock left behind (who, where, since when, that process gone) with exit 3, and
// `unlock` + `deploy` succeed and leave no partial release behind.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';
import { runCli, startCli, type RunningCli } from '../support/cli.js';
import { makeFleetApp } from '../support/fleet-app.js';
import { currentProblems, liveLink, lockFile, logLines, manifest, releaseDirs, type Manifest } from '../support/release-check.js';

let fleet: Fleet;
let dir: string;
const builds = new Map<string, Manifest>();
const SHARED = new Map([['.env', 'link:/srv/app/shared/.env']]);
const root = (h: SshdHost) => join(h.root, 'app');

/** 30 MB in 200 files of random bytes, for the point that dies mid-upload: a full upload to 3 hosts takes seconds. */
function bigFiles(on: boolean): void {
  if (!on) return rmSync(join(dir, 'build/big'), { recursive: true, force: true });
  for (let i = 0; i < 200; i++) {
    mkdirSync(join(dir, `build/big/d${i % 10}`), { recursive: true });
    writeFileSync(join(dir, `build/big/d${i % 10}/f${i}.bin`), randomBytes(150_000));
  }
}

/** A new build: the same data, a new VERSION; remembered so a release can be checked against it. */
function newBuild(label: string): void {
  writeFileSync(join(dir, 'build/VERSION'), `${label}\n`);
  builds.set(label, manifest(join(dir, 'build')));
}

async function ok(...args: string[]) {
  const r = await runCli(args, { cwd: dir, timeoutMs: 90_000 });
  expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r;
}

beforeAll(async () => {
  fleet = await startHosts(3);
  ({ dir } = makeFleetApp(fleet, {
    files: { 'VERSION': 'none\n' },
    extra: `shared: { files: [.env] }
vars: { nap: "0" }
tasks:
  bs: { run: "echo bs-start; sleep {{nap}}" }
  as: { run: "echo as-start; sleep {{nap}}" }
hooks: { before_switch: [bs], after_switch: [as] }
healthcheck: { run: "echo hc-start; sleep {{nap}}", retries: 1 }`,
  }));
  for (let i = 0; i < 50; i++) {
    mkdirSync(join(dir, `build/d${i % 5}`), { recursive: true });
    writeFileSync(join(dir, `build/d${i % 5}/f${i}.bin`), randomBytes(2_000));
  }
  // One host at a time: a kill between two hosts' switches (or finishes) splits the fleet.
  writeFileSync(join(dir, 'serial.yml'), readFileSync(join(dir, 'deploy.yml'), 'utf8').replace('stages:', 'parallel: 1\nstages:'));
  await ok('setup', 'production');
  newBuild('base');
  await ok('deploy', 'production');
}, 120_000);
afterAll(() => fleet?.stop(), 30_000);

const cacheFiles = (h: SshdHost): number => {
  try {
    return readdirSync(join(root(h), '.shipyaml/cache'), { recursive: true }).length;
  } catch {
    return 0;
  }
};

/** A point to kill at: extra args for the deploy, and how to wait for the moment. */
interface Point {
  name: string;
  args?: string[];
  /** The 30 MB of extra files in the build for this point (and its recovery deploys). */
  big?: boolean;
  /** Another config for the killed run (serial.yml: one host at a time). */
  config?: string;
  at: (run: RunningCli) => Promise<string>;
}

const after = (re: RegExp) => async (run: RunningCli) => {
  await run.waitFor(re, 30_000);
  return `after ${re}`;
};

const POINTS: Point[] = [
  { name: 'after connect', at: after(/phase connect ok/) },
  { name: 'after lock', at: after(/phase lock ok/) },
  {
    name: 'mid-upload',
    args: ['--full'],
    big: true,
    at: async (run) => {
      await run.waitFor(/\] upload started/, 30_000);
      // Kill once some of the tree has reached a host's cache but not all of it.
      for (let i = 0; i < 1500; i++) {
        const counts = fleet.hosts.map(cacheFiles);
        if (counts.some((n) => n >= 10) && !/upload ok/.test(run.output())) return `cache files per host ${counts.join('/')}`;
        if (/upload ok/.test(run.output())) throw new Error('the upload finished before the kill');
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no upload progress seen in 15 s');
    },
  },
  { name: 'after upload, before link_shared', at: after(/\] upload ok/) },
  { name: 'mid before_switch hook', at: after(/out: bs-start/) },
  { name: 'right before the switch', at: after(/phase prepare ok/) },
  { name: 'mid-switch (one host switched)', config: 'serial.yml', at: after(/\] switch ok/) },
  { name: 'after switch, before after_switch', at: after(/phase switch ok/) },
  { name: 'mid after_switch hook', at: after(/out: as-start/) },
  { name: 'mid-healthcheck', at: after(/out: hc-start/) },
  { name: 'during finish (one host finished)', config: 'serial.yml', at: after(/\] unlock ok/) },
];

const results: { name: string; safe: boolean; left?: string }[] = [];
afterAll(() => {
  for (const r of results) console.log(`  ${r.safe ? 'safe  ' : 'UNSAFE'} ${r.name.padEnd(36)} ${r.left ?? ''}`);
  const safe = results.filter((r) => r.safe).length;
  console.log(`crash matrix: ${results.length} points tried, ${safe} safe${safe < results.length ? ` (unsafe: ${results.filter((r) => !r.safe).map((r) => r.name).join(', ')})` : ''}`);
});

describe('kill -9 of shipyaml on a 3-host fleet', () => {
  POINTS.forEach((point, i) => {
    it(`${point.name}: current complete everywhere, lock reported, unlock + deploy succeed`, async () => {
      results.push({ name: point.name, safe: false });
      bigFiles(point.big === true);
      newBuild(`crash-${i}`);
      const config = point.config ? ['-c', point.config] : [];
      const run = startCli([...config, 'deploy', 'production', '--verbose', '--var', 'nap=1', ...(point.args ?? [])], { cwd: dir, timeoutMs: 90_000 });
      const hit = await point.at(run).catch(async (e) => {
        run.signal('SIGKILL');
        await run.done;
        throw e;
      });
      run.signal('SIGKILL');
      const killed = await run.done;
      expect(killed.code, `${point.name}: the run ended before the kill (${hit})\n${killed.stdout}${killed.stderr}`).toBe(137);

      // 1. Every host serves a complete release of one of the builds.
      for (const h of fleet.hosts) expect(currentProblems(root(h), builds, SHARED), `${h.alias} after kill ${point.name}`).toEqual([]);

      // 2. The locks left behind are the killed run's, and the next deploy reports them: exit 3.
      const locked = fleet.hosts.filter((h) => lockFile(root(h)) !== undefined);
      const onNew = fleet.hosts.filter((h) => readFileSync(join(root(h), 'current/VERSION'), 'utf8') === `crash-${i}\n`).length;
      results[results.length - 1]!.left = `left: ${locked.length}/3 locks, ${onNew}/3 hosts on the new release (${hit})`;
      for (const h of locked) expect(JSON.parse(lockFile(root(h))!).pid, h.alias).toBe(run.pid);
      const liveBefore = fleet.hosts.map((h) => liveLink(root(h)));
      newBuild(`retry-${i}`);
      const next = await runCli(['deploy', 'production'], { cwd: dir, timeoutMs: 90_000 });
      if (locked.length) {
        expect(next.code, next.stdout + next.stderr).toBe(3);
        const out = next.stdout + next.stderr;
        expect(out).toContain('E_LOCKED');
        for (const h of locked) {
          const line = out.split('\n').find((l) => l.includes(`${h.alias}: held by`));
          expect(line, `${h.alias} in\n${out}`).toBeDefined();
          expect(line).toMatch(new RegExp(`held by \\S+@\\S+ \\(pid ${run.pid}\\) since \\d{4}-\\d\\d-\\d\\dT`));
          expect(line).toContain('no longer running');
          expect(line).toContain('/srv/app/.shipyaml/lock');
        }
        expect(fleet.hosts.map((h) => liveLink(root(h)))).toEqual(liveBefore);
      } else {
        expect(next.code, next.stdout + next.stderr).toBe(0);
      }

      // 3. unlock clears them; a deploy then succeeds everywhere with the newest build.
      await ok('unlock', 'production');
      expect(fleet.hosts.filter((h) => lockFile(root(h)) !== undefined)).toEqual([]);
      newBuild(`after-${i}`);
      await ok('deploy', 'production');
      const live = fleet.hosts.map((h) => liveLink(root(h)));
      expect(new Set(live).size).toBe(1);
      for (const h of fleet.hosts) {
        expect(currentProblems(root(h), builds, SHARED), h.alias).toEqual([]);
        expect(readFileSync(join(root(h), 'current/VERSION'), 'utf8'), h.alias).toBe(`after-${i}\n`);
        // 4. No partial release survives a successful deploy: every dir left has a success in the log.
        const good = new Set(logLines(root(h)).filter((e) => e.status === 'ok').map((e) => e.id));
        expect(releaseDirs(root(h)).filter((id) => !good.has(id)), `${h.alias}: releases without a success in the log`).toEqual([]);
      }
      expect(live[0]).toMatch(/^releases\//);
      results[results.length - 1]!.safe = true;
    }, 120_000);
  });
});
