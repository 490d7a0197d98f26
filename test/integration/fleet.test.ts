import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';
import { runCli } from '../support/cli.js';
import { DEPLOY_TO, makeFleetApp } from '../support/fleet-app.js';
import { snapshotTree } from '../support/tree.js';

/** Preloaded into the CLI: counts its connections to the hosts when ssh2 starts to load. */
const PROBE = fileURLToPath(new URL('../support/ssh2-load-probe.cjs', import.meta.url));

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startHosts(3, { jump: true });
}, 60_000);
afterAll(() => fleet?.stop(), 30_000);

const app = (h: SshdHost) => join(h.root, 'app');
const live = (h: SshdHost) => (existsSync(join(app(h), 'current')) ? readlinkSync(join(app(h), 'current')) : undefined);
const releases = (h: SshdHost) => (existsSync(join(app(h), 'releases')) ? readdirSync(join(app(h), 'releases')).sort() : []);
const web = () => fleet.hosts;
const trees = () => web().map((h) => snapshotTree(app(h)));
const connections = () => web().map((h) => fleet.acceptedConnections(h));
/** Exec sessions per host: sshd (LogLevel VERBOSE) logs one "Starting session:" line per exec channel. */
const sessions = () => web().map((h) => readFileSync(h.logFile, 'utf8').split('\n').filter((l) => l.includes('Starting session:')).length);
const logOf = (h: SshdHost) => readFileSync(join(app(h), '.shipyaml/log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; id: string; from?: string; status: string });
const locked = () => web().map((h) => existsSync(join(app(h), '.shipyaml/lock')));

async function ok(dir: string, ...args: string[]) {
  const r = await runCli(args, { cwd: dir });
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

describe('a fleet of 3 real sshd hosts, through the built CLI', () => {
  it('deploy, rollback, releases, cleanup and unlock: every host on the same id, one connection per host per command', async () => {
    const { dir } = makeFleetApp(fleet);
    const ids: string[] = [];
    for (const cmd of [['setup'], ['deploy'], ['deploy'], ['deploy'], ['deploy'], ['rollback'], ['releases'], ['cleanup'], ['unlock']]) {
      const before = connections();
      if (cmd[0] === 'deploy') writeFileSync(join(dir, 'build/index.html'), `deploy ${ids.length + 1}\n`);
      await ok(dir, cmd[0]!, 'production');
      expect(connections().map((n, i) => n - before[i]!), `${cmd[0]}: connections per host`).toEqual([1, 1, 1]);
      if (cmd[0] === 'deploy') {
        const ls = web().map(live);
        expect(new Set(ls).size).toBe(1);
        ids.push(ls[0]!.replace('releases/', ''));
      }
    }
    for (const h of web()) {
      expect(live(h)).toBe(`releases/${ids[2]}`);
      expect(readFileSync(join(app(h), 'current/index.html'), 'utf8')).toBe('deploy 3\n');
      // keep 3: ids 2..4 survive deploys; cleanup then removes the rolled-back 4.
      expect(releases(h)).toEqual([ids[1], ids[2]]);
      expect(existsSync(join(app(h), '.shipyaml/lock'))).toBe(false);
    }
    const list = await ok(dir, 'releases', 'production');
    expect(list.stdout).toMatch(new RegExp(`\\*\\s+${ids[2]}\\s+all 3\\s+live`));
  }, 120_000);

  it('deploy: 2 exec sessions per host (the held shell, the upload); rollback: 1; an after_rollback hook failing fails the command, hosts stay switched and logged', async () => {
    const { dir } = makeFleetApp(fleet, {
      extra: `tasks:\n  note: { run: 'if [ {{host.name}} = web2 ] && [ -e {{deploy_to}}/hook-fails ]; then echo "web2 hook says no" >&2; exit 5; fi; echo {{release_id}} >> {{deploy_to}}/after_rollback.log' }\nhooks:\n  after_rollback: [note]`,
    });
    await ok(dir, 'setup', 'production');
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      writeFileSync(join(dir, 'build/index.html'), `v${n}\n`);
      const before = sessions();
      await ok(dir, 'deploy', 'production');
      // Lock, switch and finish in the held shell; the upload streams on a session of its own.
      expect(sessions().map((x, i) => x - before[i]!), 'deploy: exec sessions per host').toEqual([2, 2, 2]);
      ids.push(live(web()[0]!)!.replace('releases/', ''));
    }
    const [before, conns] = [sessions(), connections()];
    await ok(dir, 'rollback', 'production');
    expect(sessions().map((n, i) => n - before[i]!), 'rollback: exec sessions per host').toEqual([1, 1, 1]);
    expect(connections().map((n, i) => n - conns[i]!), 'connections per host').toEqual([1, 1, 1]);
    for (const h of web()) {
      expect(live(h)).toBe(`releases/${ids[1]}`);
      expect(readFileSync(join(app(h), 'after_rollback.log'), 'utf8')).toBe(`${ids[1]}\n`);
      expect(logOf(h).at(-1)).toMatchObject({ action: 'rollback', id: ids[1], from: ids[2], status: 'ok' });
    }
    expect(locked()).toEqual([false, false, false]);

    writeFileSync(join(app(web()[1]!), 'hook-fails'), '');
    const r = await runCli(['rollback', 'production'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('E_HOOK_FAILED');
    expect(r.stderr).toContain('web2 hook says no');
    for (const h of web()) {
      expect(live(h)).toBe(`releases/${ids[0]}`);
      expect(logOf(h).at(-1)).toMatchObject({ action: 'rollback', id: ids[0], from: ids[1], status: 'ok' });
    }
    expect(locked()).toEqual([false, false, false]);
  }, 120_000);

  it('rollback: a switch failing on one host sends the others back, logs say so, no lock left, and the next rollback goes to the same release', async () => {
    const { dir } = makeFleetApp(fleet);
    await ok(dir, 'setup', 'production');
    const ids: string[] = [];
    for (const n of [1, 2]) {
      writeFileSync(join(dir, 'build/index.html'), `v${n}\n`);
      await ok(dir, 'deploy', 'production');
      ids.push(live(web()[0]!)!.replace('releases/', ''));
    }
    const logsBefore = web().map(logOf);
    // A directory where the switch makes its temporary link: ln puts the link inside, mv -T refuses.
    const web2 = web()[1]!;
    await fleet.run(web2, `mkdir -p ${DEPLOY_TO}/current.new/x`);
    const r = await runCli(['rollback', 'production'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('web2');
    expect(r.stderr).toContain('E_SWITCH');
    for (const h of web()) expect(live(h), h.alias).toBe(`releases/${ids[1]}`);
    expect(locked()).toEqual([false, false, false]);
    // Hosts that switched and logged were sent back and say so; web2 never switched, never logged.
    for (const h of [web()[0]!, web()[2]!]) {
      expect(logOf(h).slice(logsBefore[0]!.length)).toMatchObject([
        { action: 'rollback', id: ids[0], from: ids[1], status: 'ok' },
        { action: 'rollback', id: ids[0], from: ids[1], status: 'failed' },
      ]);
    }
    expect(logOf(web2)).toEqual(logsBefore[1]);

    await fleet.run(web2, `rm -rf ${DEPLOY_TO}/current.new`);
    await ok(dir, 'rollback', 'production');
    for (const h of web()) expect(live(h)).toBe(`releases/${ids[0]}`);
    const list = await ok(dir, 'releases', 'production');
    expect(list.stdout).toMatch(new RegExp(`${ids[1]}\\s+all 3\\s+rolled back`));
    expect(locked()).toEqual([false, false, false]);
  }, 120_000);

  it('each host\'s TCP connection is on its way before ssh2\'s module code runs (the early dial)', async () => {
    const { dir } = makeFleetApp(fleet);
    await ok(dir, 'setup', 'production');
    const out = join(dir, 'probe.json');
    const r = await runCli(['releases', 'production'], {
      cwd: dir,
      env: { NODE_OPTIONS: `--require ${PROBE}`, SHIPYAML_PROBE_PORTS: web().map((h) => h.port).join(','), SHIPYAML_PROBE_OUT: out },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // At least the first host's: the hosts reach their dial one by one, each after reading its ssh config.
    expect((JSON.parse(readFileSync(out, 'utf8')) as { connections: number }).connections).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('an unknown host key and a changed host key are refused with exit 4, nothing changed', async () => {
    const { dir } = makeFleetApp(fleet);
    await ok(dir, 'setup', 'production');
    await ok(dir, 'deploy', 'production');
    const before = trees();
    const cfg = readFileSync(fleet.sshConfig, 'utf8');

    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    writeFileSync(join(dir, 'unknown.ssh_config'), cfg.split(fleet.knownHosts).join(empty));
    writeFileSync(join(dir, 'unknown.yml'), readFileSync(join(dir, 'deploy.yml'), 'utf8').replace(fleet.sshConfig, join(dir, 'unknown.ssh_config')));
    const unknown = await runCli(['-c', 'unknown.yml', 'deploy', 'production'], { cwd: dir });
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    expect(unknown.stderr).toContain('--accept-new-host-keys');

    const changed = join(dir, 'changed_known_hosts');
    const other = web()[1]!.hostKeyPub.split(' ').slice(0, 2).join(' ');
    writeFileSync(changed, web().map((h) => `[127.0.0.1]:${h.port} ${other}\n`).join(''));
    writeFileSync(join(dir, 'changed.ssh_config'), cfg.split(fleet.knownHosts).join(changed));
    writeFileSync(join(dir, 'changed.yml'), readFileSync(join(dir, 'deploy.yml'), 'utf8').replace(fleet.sshConfig, join(dir, 'changed.ssh_config')));
    const bad = await runCli(['-c', 'changed.yml', 'deploy', 'production', '--accept-new-host-keys'], { cwd: dir });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/E_HOST_KEY_CHANGED/);
    expect(readFileSync(changed, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    expect(trees()).toEqual(before);
  }, 120_000);

  it('a host that refuses connections: exit 4 naming it and why, and no other host is touched', async () => {
    const server = (await import('node:net')).createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const closed = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    const { dir } = makeFleetApp(fleet, { hosts: `      - web1\n      - { host: 127.0.0.1, port: ${closed} }` });
    const before = snapshotTree(app(web()[0]!));
    const r = await runCli(['deploy', 'production'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/127\.0\.0\.1/);
    expect(r.stderr).toMatch(/refused/);
    expect(snapshotTree(app(web()[0]!))).toEqual(before);
  }, 60_000);

  it('deploys through a jump host to a host reachable only via it', async () => {
    const { jump, behind } = fleet.jump!;
    const { dir } = makeFleetApp(fleet, { hosts: '      - behind' });
    const before = [fleet.acceptedConnections(jump), fleet.acceptedConnections(behind)];
    await ok(dir, 'setup', 'production');
    await ok(dir, 'deploy', 'production');
    expect(readFileSync(join(behind.root, 'app/current/index.html'), 'utf8')).toBe('v1\n');
    expect([fleet.acceptedConnections(jump) - before[0]!, fleet.acceptedConnections(behind) - before[1]!]).toEqual([2, 2]);
  }, 60_000);

  it('a hook failing on one of 3 hosts: no host switches, no new release dir left anywhere', async () => {
    const { dir } = makeFleetApp(fleet, {
      extra: `tasks:\n  check: { run: 'if [ {{host.name}} = web2 ]; then echo "web2 says no" >&2; exit 7; fi' }\nhooks:\n  before_switch: [check]`,
    });
    await ok(dir, 'setup', 'production');
    writeFileSync(join(dir, 'plain.yml'), readFileSync(join(dir, 'deploy.yml'), 'utf8').replace(/tasks:[\s\S]*before_switch: \[check\]/, ''));
    await ok(dir, '-c', 'plain.yml', 'deploy', 'production');
    const before = trees().map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('.shipyaml/'))));
    const r = await runCli(['deploy', 'production'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('web2');
    expect(r.stderr).toContain('web2 says no');
    expect(r.stderr).toContain('exit 7');
    const after = trees().map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('.shipyaml/'))));
    expect(after).toEqual(before);
  }, 60_000);

  it('a once task runs on exactly one host (the first of its role); --role and --host select', async () => {
    const { dir } = makeFleetApp(fleet, {
      extra: `tasks:
  migrate: { run: "touch {{deploy_to}}/migrated-{{release_id}}", once: true, roles: [db] }
  any_once: { run: "touch {{deploy_to}}/once-{{release_id}}", once: true }
hooks:
  before_switch: [migrate, any_once]`,
    });
    await ok(dir, 'setup', 'production');
    await ok(dir, 'deploy', 'production');
    const id = live(web()[0]!)!.replace('releases/', '');
    expect(web().map((h) => existsSync(join(app(h), `migrated-${id}`)))).toEqual([true, false, false]);
    expect(web().map((h) => existsSync(join(app(h), `once-${id}`)))).toEqual([true, false, false]);

    writeFileSync(join(dir, 'build/index.html'), 'web only\n');
    await ok(dir, 'deploy', 'production', '--role', 'web');
    expect(web().map((h) => readFileSync(join(app(h), 'current/index.html'), 'utf8'))).toEqual(['web only\n', 'web only\n', 'v1\n']);
    writeFileSync(join(dir, 'build/index.html'), 'web3 only\n');
    await ok(dir, 'deploy', 'production', '--host', 'web3');
    expect(web().map((h) => readFileSync(join(app(h), 'current/index.html'), 'utf8'))).toEqual(['web only\n', 'web only\n', 'web3 only\n']);
    const bad = await runCli(['deploy', 'production', '--host', 'web9'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('web1, web2, web3');
  }, 90_000);

  it('exec runs a command in current/ on every selected host, output grouped per host', async () => {
    const { dir } = makeFleetApp(fleet);
    await ok(dir, 'setup', 'production');
    await ok(dir, 'deploy', 'production');
    const r = await ok(dir, 'exec', 'production', '--', 'echo "$(pwd -P)"; cat index.html');
    const blocks = r.stdout.split(/^── /m).slice(1);
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(['web1', 'web2', 'web3']);
    for (const b of blocks) expect(b).toMatch(/\/srv\/app\/releases\/\d{8}-\d{6}(-\d+)?\nv1\n/);
    const one = await ok(dir, 'exec', 'production', '--host', 'web2', '--', 'echo only-here');
    expect(one.stdout.endsWith('── web2\nonly-here\n')).toBe(true);
    expect(one.stdout).not.toContain('── web1');
  }, 60_000);

  it('doctor reports a shared/ dir without setgid and a file the web group cannot write, and passes after setup', async () => {
    const { dir } = makeFleetApp(fleet, { extra: 'shared: { files: [.env], dirs: [uploads], group: root }' });
    await ok(dir, 'setup', 'production');
    const first = await ok(dir, 'doctor', 'production');
    expect(first.stdout).not.toContain('FAIL');
    const h = web()[1]!;
    await fleet.run(h, `chmod g-s ${DEPLOY_TO}/shared/uploads && umask 022 && echo x > ${DEPLOY_TO}/shared/uploads/by-deploy-user.jpg`);
    const r = await runCli(['doctor', 'production'], { cwd: dir });
    expect(r.code).toBe(1);
    const web2 = r.stdout.slice(r.stdout.indexOf(`\nweb2  ${DEPLOY_TO}`), r.stdout.indexOf(`\nweb3  ${DEPLOY_TO}`));
    expect(web2).toMatch(/FAIL shared\/ setgid: no setgid on \/srv\/app\/shared\/uploads/);
    expect(web2).toMatch(/FAIL shared\/ writable by the web group: .*by-deploy-user\.jpg/);
    expect(web2).toContain('fix:');
    await ok(dir, 'setup', 'production');
    const fixed = await ok(dir, 'doctor', 'production');
    expect(fixed.stdout).not.toContain('FAIL');
  }, 90_000);
});
