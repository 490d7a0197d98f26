// The healthcheck on 3 real sshd hosts: a failing check switches every host back and runs
// after_rollback on each; `rolling: 1` stops at the failing batch (the hosts after it never
// switch); an HTTP check run from the servers themselves.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';
import { runCli } from '../support/cli.js';
import { makeFleetApp } from '../support/fleet-app.js';
import { liveId, releaseDirs } from '../support/release-check.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startHosts(3);
}, 60_000);
afterAll(() => fleet?.stop(), 30_000);

const root = (h: SshdHost) => join(h.root, 'app');
const events = (h: SshdHost) => {
  const p = join(root(h), 'events.log');
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
};
const HOOKS = `tasks:
  note_switch: { run: "echo switched-to {{release_id}} >> {{deploy_to}}/events.log" }
  note_rollback: { run: "echo rolled-back-to {{release_id}} >> {{deploy_to}}/events.log" }
hooks: { after_switch: [note_switch], after_rollback: [note_rollback] }`;

/** A fleet app deployed once with a healthy build; the config under test in `test.yml`. */
async function deployedApp(testConfig: string) {
  const { dir } = makeFleetApp(fleet);
  writeFileSync(join(dir, 'test.yml'), readFileSync(join(dir, 'deploy.yml'), 'utf8').replace('stages:', `${testConfig}\nstages:`));
  for (const args of [['setup', 'production'], ['deploy', 'production']]) {
    const r = await runCli(args, { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
  for (const h of fleet.hosts) writeFileSync(join(root(h), 'events.log'), '');
  const old = liveId(root(fleet.hosts[0]!))!;
  return { dir, old, releases: fleet.hosts.map((h) => releaseDirs(root(h))) };
}

describe('healthcheck and automatic rollback on 3 sshd hosts', () => {
  it('a failing check switches every host back, runs after_rollback on each, exit 1', async () => {
    const { dir, old, releases } = await deployedApp(`${HOOKS}
healthcheck: { run: "echo try >> {{deploy_to}}/tries.log; test -f healthy", retries: 2, interval: 100ms }`);
    writeFileSync(join(dir, 'build/index.html'), 'v2\n');
    const r = await runCli(['-c', 'test.yml', 'deploy', 'production'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('E_HEALTHCHECK');
    expect(r.stderr).toMatch(/healthcheck failed on web\d after 2 tries/);
    const id = /switched-to (\S+)/.exec(events(fleet.hosts[0]!).join('\n'))?.[1];
    expect(id).toBeDefined();
    for (const [i, h] of fleet.hosts.entries()) {
      expect(liveId(root(h)), h.alias).toBe(old);
      expect(events(h), h.alias).toEqual([`switched-to ${id}`, `rolled-back-to ${old}`]);
      expect(readFileSync(join(root(h), 'tries.log'), 'utf8').trim().split('\n'), h.alias).toHaveLength(2);
      // Switched back and then removed, as test/cli/healthcheck.test.ts expects on the local target.
      expect(releaseDirs(root(h)), h.alias).toEqual(releases[i]);
    }
    console.log(`healthcheck (3 sshd hosts): failing check -> ${fleet.hosts.filter((h) => liveId(root(h)) === old).length}/3 hosts switched back, after_rollback ran on ${fleet.hosts.filter((h) => events(h).includes(`rolled-back-to ${old}`)).length}/3`);
  }, 90_000);

  it('rolling: 1 with a check failing on web2 only: web1 and web2 switched then back, web3 never switched, exit 1', async () => {
    const { dir, old } = await deployedApp(`${HOOKS}
rolling: 1
healthcheck: { run: "[ {{host.name}} != web2 ]", retries: 1 }`);
    writeFileSync(join(dir, 'build/index.html'), 'v2\n');
    const r = await runCli(['-c', 'test.yml', 'deploy', 'production'], { cwd: dir });
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(r.stderr).toMatch(/healthcheck failed on web2/);
    const [web1, web2, web3] = fleet.hosts as [SshdHost, SshdHost, SshdHost];
    const id = /switched-to (\S+)/.exec(events(web1).join('\n'))?.[1];
    expect(id).toBeDefined();
    expect(events(web1)).toEqual([`switched-to ${id}`, `rolled-back-to ${old}`]);
    expect(events(web2)).toEqual([`switched-to ${id}`, `rolled-back-to ${old}`]);
    expect(events(web3)).toEqual([]);
    for (const h of fleet.hosts) expect(liveId(root(h)), h.alias).toBe(old);
    // Batches in order: web1 switched and checked before web2 started; web3 never switched.
    const at = (re: RegExp) => out.split('\n').findIndex((l) => re.test(l));
    expect(at(/\[web1\] healthcheck ok/)).toBeGreaterThan(-1);
    expect(at(/\[web1\] healthcheck ok/)).toBeLessThan(at(/\[web2\] switch started/));
    expect(at(/\[web3\] switch /)).toBe(-1);
    console.log('healthcheck (rolling: 1, fails on web2): web1 switched+back, web2 switched+back, web3 never switched');
  }, 90_000);

  it('an HTTP healthcheck is made from the servers: 503 rolls back, 200 deploys', async () => {
    let status = 503;
    let hits = 0;
    const server: Server = createServer((_req, res) => {
      hits++;
      res.writeHead(status).end(status === 200 ? 'ok' : 'down');
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
      const { dir, old } = await deployedApp(`healthcheck: { url: "${url}", retries: 2, interval: 100ms, timeout: 2s }`);
      writeFileSync(join(dir, 'build/index.html'), 'v2\n');
      const bad = await runCli(['-c', 'test.yml', 'deploy', 'production'], { cwd: dir });
      expect(bad.code, bad.stdout + bad.stderr).toBe(1);
      expect(hits).toBe(6); // 3 hosts × 2 tries
      for (const h of fleet.hosts) expect(liveId(root(h)), h.alias).toBe(old);
      status = 200;
      const good = await runCli(['-c', 'test.yml', 'deploy', 'production'], { cwd: dir });
      expect(good.code, good.stdout + good.stderr).toBe(0);
      for (const h of fleet.hosts) expect(readFileSync(join(root(h), 'current/index.html'), 'utf8'), h.alias).toBe('v2\n');
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
    }
  }, 90_000);
});
