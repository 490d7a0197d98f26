// The harness checked with the real OpenSSH client, so a failing integration test can trust
// that its hosts behave like servers: private disks, counted connections, a jump host that is
// the only route to the host behind it, and a stop that leaves nothing running.
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAlive, runArgv } from './proc.js';
import { startHosts, type Fleet } from './sshd.js';

let fleet: Fleet;
const ssh = (alias: string, cmd: string, ...opts: string[]) =>
  runArgv(['ssh', '-F', fleet.sshConfig, ...opts, alias, cmd], { timeoutMs: 15_000 });

beforeAll(async () => {
  fleet = await startHosts(3, { jump: true });
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
}, 30_000);

describe('sshd harness', () => {
  test('every host has its own /srv, /tmp and HOME, reachable by alias', async () => {
    fleet.hosts.forEach((h, i) => writeFileSync(`${h.root}/marker`, `host ${i}`));
    for (const [i, h] of fleet.hosts.entries()) {
      const r = await ssh(h.alias, 'cat /srv/marker; echo; echo $HOME; touch /tmp/mine; ls /tmp');
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`host ${i}\n${h.home}\nmine\n`);
    }
    expect(existsSync('/srv/marker')).toBe(false);
    expect((await fleet.run(0, 'ls /tmp /srv')).stdout).toBe('/srv:\nmarker\n\n/tmp:\nmine\n');
  }, 30_000);

  test('a non-root deploy user exists on every host, in www-data', async () => {
    const r = await ssh('web1', 'id -un; id -Gn; echo $HOME; touch $HOME/x', '-l', fleet.deployUser.name);
    expect(r.stderr).toBe('');
    const [name, groups, home] = r.stdout.split('\n');
    expect(name).toBe('deploy');
    expect(groups!.split(' ')).toEqual(expect.arrayContaining(['deploy', 'www-data']));
    expect(home).toBe(fleet.hosts[0]!.home);
  }, 30_000);

  test('one "Accepted publickey" line per connection', async () => {
    const before = fleet.acceptedConnections('web2');
    await ssh('web2', 'true');
    await ssh('web2', 'true');
    expect(fleet.acceptedConnections('web2')).toBe(before + 2);
  }, 30_000);

  test('"behind" answers through the jump host and refuses a direct connection', async () => {
    const jumpBefore = fleet.acceptedConnections('jump');
    const behindBefore = fleet.acceptedConnections('behind');
    const direct = await ssh('behind', 'true', '-o', 'ProxyJump=none', '-o', 'ConnectTimeout=3');
    expect(direct.code).toBe(255);
    expect(fleet.acceptedConnections('behind')).toBe(behindBefore);
    const via = await ssh('behind', 'echo behind');
    expect(via.stdout).toBe('behind\n');
    expect(fleet.acceptedConnections('jump')).toBe(jumpBefore + 1);
    expect(fleet.acceptedConnections('behind')).toBe(behindBefore + 1);
  }, 30_000);

  test('kill() takes one host down and leaves the others up', async () => {
    const pid = fleet.hosts[2]!.pid;
    await fleet.kill(2);
    expect(isAlive(pid)).toBe(false);
    expect((await ssh('web3', 'true', '-o', 'ConnectTimeout=3')).code).toBe(255);
    expect((await ssh('web1', 'echo up')).stdout).toBe('up\n');
  }, 30_000);

  test('stop() ends every process it started and removes its files', async () => {
    const other = await startHosts(1, { jump: true });
    const pids = [other.hosts[0]!.pid, other.jump!.jump.pid, other.jump!.behind.pid, other.jump!.doorPid];
    await other.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(other.dir)).toBe(false);
  }, 60_000);
});
