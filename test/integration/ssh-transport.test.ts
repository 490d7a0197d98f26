// SshTransport against real OpenSSH sshd hosts (test/harness): one connection per host, host
// keys always verified, the plain-reason errors, ProxyJump, and the ssh config.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostSpec } from '../../src/config/stage-config.js';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { argv, script } from '../../src/shell/cmd.js';
import { createSshTransport, type SshTransport, type SshTransportOptions } from '../../src/transport/ssh.js';
import type { StdinSource } from '../../src/transport/transport.js';
import type { SshTarget } from '../../src/transport/ssh-config-resolve.js';
import { dial } from '../../src/transport/ssh-dial.js';
import { RoundTrips } from '../../src/transport/round-trips.js';
import { makeTransportFactory } from '../../src/app/transports.js';
import type { StageConfig } from '../../src/config/stage-config.js';
import { connectError } from '../../src/transport/ssh-errors.js';
import { generateKey, knownHostsLine } from '../harness/keys.js';
import { runArgv, runOk, sleep, waitGone } from '../harness/proc.js';
import { appendLines, readLog, startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';

/** This process's connections opening or open to the ports (test/support/proc-tcp.cjs, shared with the CLI probe). */
const { ownConnections } = createRequire(import.meta.url)('../support/proc-tcp.cjs') as { ownConnections(ports: number[]): number };

/** Writes the chunks as a command's stdin, waiting for the channel when it asks to. */
const chunksSource = (chunks: Buffer[]): StdinSource => ({
  async writeTo(dest) {
    for (const c of chunks) if (!dest.write(c)) await once(dest, 'drain');
    dest.end();
  },
});

let fleet: Fleet;
let scratch: string;
const open: SshTransport[] = [];

beforeAll(async () => {
  fleet = await startHosts(3, { jump: true });
  scratch = await mkdtemp(join('/var/tmp', 'shipyaml-ssh-test-'));
  for (const [i, h] of fleet.hosts.entries()) await writeFile(`${h.root}/marker`, `host ${i}`);
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await fleet?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 30_000);

function spec(hostname: string, extra: Partial<HostSpec> = {}): HostSpec {
  return { name: hostname, local: false, hostname, roles: [], deployTo: '/srv/app', vars: {}, ...extra };
}

function transport(host: HostSpec, extra: Partial<SshTransportOptions> = {}): SshTransport {
  const t = createSshTransport(host, {
    configFile: fleet.sshConfig,
    connectTimeoutMs: 5_000,
    keepaliveMs: 15_000,
    forwardAgent: false,
    ...extra,
  });
  open.push(t);
  return t;
}

/** A transport that bypasses the fleet's ssh config: address, port and files given directly. */
function direct(h: Pick<SshdHost, 'port'>, extra: Partial<SshTransportOptions> = {}, user = 'root'): SshTransport {
  return transport(spec('127.0.0.1', { port: h.port, user }), {
    configFile: '/dev/null',
    knownHostsFiles: [fleet.knownHosts],
    identityFile: fleet.clientKey,
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<ShipyamlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ShipyamlError) return e;
    throw e;
  }
  throw new Error('expected a ShipyamlError, but it succeeded');
}

async function fingerprintOf(pubFile: string): Promise<string> {
  // OpenSSH's own rendering, to prove ours is the same: "256 SHA256:… comment (ED25519)".
  return (await runOk(['ssh-keygen', '-lf', pubFile])).split(' ')[1]!;
}

describe('exec over one connection', () => {
  test('returns stdout, stderr and the exit code; cwd and env apply', async () => {
    const t = transport(spec('web1'));
    const r = await t.exec(argv('sh', '-c', 'echo out; echo err >&2; exit 3'));
    expect(r).toMatchObject({ code: 0 + 3, stdout: 'out\n', stderr: 'err\n' });
    const s = await t.exec(script('pwd; cat marker; echo " $GREETING"', { cwd: '/srv', env: { GREETING: "it's me" } }));
    expect(s).toMatchObject({ code: 0, stdout: "/srv\nhost 0 it's me\n" });
    const hostile = `a'b"c $(x) \`y\` \\ ; | & *`;
    expect((await t.exec(argv('printf', '%s', hostile))).stdout).toBe(hostile);
  }, 30_000);

  test('many commands, several at once, are exactly one accepted connection', async () => {
    const before = fleet.acceptedConnections(1);
    const t = transport(spec('web2'));
    for (let i = 0; i < 10; i++) expect((await t.exec(argv('echo', String(i)))).stdout).toBe(`${i}\n`);
    const parallel = await Promise.all(Array.from({ length: 30 }, (_, i) => t.exec(argv('echo', String(i)))));
    expect(parallel.map((r) => r.stdout)).toEqual(Array.from({ length: 30 }, (_, i) => `${i}\n`));
    expect(fleet.acceptedConnections(1)).toBe(before + 1);
  }, 30_000);

  test('commands without stdin share one held shell, failures included; an upload, or a command while it is busy, gets a session of its own', async () => {
    const h = fleet.hosts[1]!;
    const sessions = async () => {
      await sleep(200); // sshd writes its log lines as it gets to them
      return (await readLog(h)).split('\n').filter((l) => l.includes('Starting session:')).length;
    };
    const t = transport(spec('web2'));
    const before = await sessions();
    // The held shell starts with the connection, before any command.
    await t.connect();
    expect(await sessions()).toBe(before + 1);
    const shells: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.exec(script(`echo $$; echo "try ${i}" >&2; exit ${i % 2 ? 3 : 0}`));
      expect(r).toMatchObject({ code: i % 2 ? 3 : 0, stderr: `try ${i}\n` });
      shells.push(r.stdout);
    }
    expect(new Set(shells).size).toBe(1);
    expect(await sessions()).toBe(before + 1);
    const upload = await t.exec(argv('wc', '-c'), { stdin: chunksSource([Buffer.alloc(1000)]) });
    expect(upload.stdout.trim()).toBe('1000');
    const [slow, quick] = await Promise.all([t.exec(script('sleep 0.3; echo $$')), t.exec(script('echo $$'))]);
    expect(slow.stdout).toBe(shells[0]);
    expect(quick.stdout).not.toBe(shells[0]);
    expect(await sessions()).toBe(before + 3);
    // No room for a held shell beside another channel: a session per command, as before.
    const single = transport(spec('web2'), { maxChannels: 1 });
    const from = await sessions();
    for (let i = 0; i < 3; i++) expect((await single.exec(argv('true'))).code).toBe(0);
    expect(await sessions()).toBe(from + 3);
  }, 30_000);

  test('close ends the held shell so that sshd reaps it before the connection goes: no shell left to init', async () => {
    const h = fleet.hosts[1]!;
    const shells: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = transport(spec('web2'));
      shells.push((await t.exec(script('echo $$'))).stdout.trim());
      await t.close();
    }
    await sleep(300);
    // Closed at once after an end of input, sshd left the shell to init: a zombie under pid 1
    // here (this machine's init reaps late), and its CPU outside sshd's.
    const left = (await fleet.run(h, `for p in ${shells.join(' ')}; do ps -o pid=,ppid=,stat= -p $p; done; true`)).stdout.trim();
    expect(left).toBe('');
  }, 30_000);

  test('stdin of several MB arrives intact', async () => {
    const data = randomBytes(8 * 1024 * 1024);
    const want = createHash('sha256').update(data).digest('hex');
    const t = transport(spec('web3'));
    await t.connect();
    // Twice: on this machine the first few MB on a fresh connection stall ~1 s (OpenSSH's own
    // client shows the same), so the second run is the steady rate.
    for (const run of ['first', 'second']) {
      const started = performance.now();
      const r = await t.exec(argv('sha256sum'), { stdin: chunksSource([data.subarray(0, 3_000_000), data.subarray(3_000_000)]) });
      const ms = performance.now() - started;
      expect(r.code).toBe(0);
      expect(r.stdout.split(' ')[0]).toBe(want);
      console.log(`stdin (${run} on the connection): 8 MiB in ${ms.toFixed(0)} ms = ${((8 / ms) * 1000).toFixed(0)} MiB/s`);
    }
  }, 30_000);

  test('a command that reads stdin gets EOF when none is given', async () => {
    const r = await transport(spec('web1')).exec(argv('cat'));
    expect(r).toMatchObject({ code: 0, stdout: '' });
  }, 15_000);

  test('abort sends SIGTERM to the whole remote command, and the connection stays usable', async () => {
    // As the non-root user: sshd refuses "signal" requests for root sessions.
    const t = transport(spec('web1', { user: fleet.deployUser.name }));
    const ac = new AbortController();
    const running = t.exec(script('sleep 37.5; echo not reached'), { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    const sleeping = () => fleet.run(0, "ps -eo args | grep -c '^sleep 37.5' || true");
    expect((await sleeping()).stdout).toBe('1\n');
    const started = performance.now();
    ac.abort();
    const r = await running;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(r).toMatchObject({ code: 143, signal: 'SIGTERM', stdout: '' });
    expect((await sleeping()).stdout).toBe('0\n');
    expect((await t.exec(argv('id', '-un'))).stdout).toBe('deploy\n');
  }, 15_000);

  test('close says goodbye and does not wait for the server to hang up: sshd logs a disconnect, never a reset', async () => {
    const h = fleet.hosts[2]!;
    const port = (log: string) => [...log.matchAll(/Received disconnect from 127\.0\.0\.1 port (\d+)/g)].map((m) => m[1]);
    const before = port(await readLog(h)).length;
    const t = transport(spec('web3'));
    await t.exec(argv('true'));
    const started = performance.now();
    await t.close();
    const closeMs = performance.now() - started;
    let log = await readLog(h);
    for (let i = 0; i < 50 && port(log).length === before; i++) {
      await sleep(100);
      log = await readLog(h);
    }
    expect(port(log).length).toBe(before + 1);
    expect(log).not.toMatch(/Connection reset/);
    console.log(`close: ${closeMs.toFixed(1)} ms`);
  }, 15_000);

  test('timing: connect and one round trip', async () => {
    const t = transport(spec('web1'));
    const c0 = performance.now();
    await t.connect();
    const connectMs = performance.now() - c0;
    const rounds = 20;
    const e0 = performance.now();
    for (let i = 0; i < rounds; i++) await t.exec(argv('true'));
    const execMs = (performance.now() - e0) / rounds;
    console.log(`connect+auth ${connectMs.toFixed(0)} ms; exec round trip ${execMs.toFixed(1)} ms`);
    expect(connectMs).toBeLessThan(5_000);
  }, 30_000);
});

describe('host keys', () => {
  test('an unknown host is refused with its fingerprint, before anything runs', async () => {
    const empty = join(scratch, 'empty_known_hosts');
    await writeFile(empty, '');
    const before = fleet.acceptedConnections(0);
    const e = await failure(direct(fleet.hosts[0]!, { knownHostsFiles: [empty] }).exec(argv('touch', '/srv/ran')));
    expect(e.code).toBe('E_HOST_KEY_UNKNOWN');
    expect(e.exit).toBe(4);
    expect(e.message).toContain(await fingerprintOf(`${fleet.hosts[0]!.hostKeyFile}.pub`));
    expect(e.message).toContain('127.0.0.1');
    expect(e.hint).toContain('--accept-new-host-keys');
    expect(fleet.acceptedConnections(0)).toBe(before);
    expect(await readFile(empty, 'utf8')).toBe('');
  }, 15_000);

  test('a changed host key is refused, loudly, even with --accept-new-host-keys', async () => {
    const other = await generateKey(join(scratch, 'impostor'), 'impostor');
    const h = fleet.hosts[0]!;
    const file = join(scratch, 'changed_known_hosts');
    const content = `${knownHostsLine('127.0.0.1', h.port, other.pub)}\n`;
    await writeFile(file, content);
    const before = fleet.acceptedConnections(0);
    const e = await failure(direct(h, { knownHostsFiles: [file], acceptNewHostKeys: true }).connect());
    expect(e.code).toBe('E_HOST_KEY_CHANGED');
    expect(e.exit).toBe(4);
    expect(e.message).toContain('CHANGED');
    expect(e.message).toContain(await fingerprintOf(`${h.hostKeyFile}.pub`));
    expect(e.message).toContain(await fingerprintOf(`${other.path}.pub`));
    expect(e.hint).toContain(`ssh-keygen -R '[127.0.0.1]:${h.port}'`);
    expect(await readFile(file, 'utf8')).toBe(content);
    expect(fleet.acceptedConnections(0)).toBe(before);
  }, 15_000);

  test('--accept-new-host-keys records the key, and the next connection trusts it', async () => {
    const h = fleet.hosts[1]!;
    const file = join(scratch, 'new_known_hosts');
    await writeFile(file, '# a comment without newline');
    const t = direct(h, { knownHostsFiles: [file], acceptNewHostKeys: true });
    expect((await t.exec(argv('cat', '/srv/marker'))).stdout).toBe('host 1');
    const [type, blob] = h.hostKeyPub.split(' ');
    expect(await readFile(file, 'utf8')).toBe(`# a comment without newline\n[127.0.0.1]:${h.port} ${type} ${blob}\n`);
    expect((await direct(h, { knownHostsFiles: [file] }).exec(argv('true'))).code).toBe(0);
  }, 15_000);

  test('a hashed known_hosts entry (ssh-keygen -H) is accepted', async () => {
    const h = fleet.hosts[2]!;
    const file = join(scratch, 'hashed_known_hosts');
    await writeFile(file, `${knownHostsLine('127.0.0.1', h.port, h.hostKeyPub)}\n`);
    await runOk(['ssh-keygen', '-q', '-H', '-f', file]);
    const hashed = await readFile(file, 'utf8');
    expect(hashed).toMatch(/^\|1\|/);
    expect((await direct(h, { knownHostsFiles: [file] }).exec(argv('cat', '/srv/marker'))).stdout).toBe('host 2');
  }, 15_000);
});

describe('connection and authentication errors', () => {
  test('a refused port: E_CONNECT, exit 4, with the reason', async () => {
    const port = await closedPort();
    const e = await failure(direct({ port }).connect());
    expect(e.code).toBe('E_CONNECT');
    expect(e.exit).toBe(4);
    expect(e.message).toContain(`connection refused (is sshd running on 127.0.0.1:${port}?)`);
  }, 15_000);

  test('a server that never answers: timed out after the connect timeout', async () => {
    const silent = await listenSilently();
    try {
      const e = await failure(direct({ port: (silent.address() as AddressInfo).port }, { connectTimeoutMs: 700 }).connect());
      expect(e.code).toBe('E_CONNECT');
      expect(e.message).toContain('timed out after 0.7s');
    } finally {
      silent.close();
    }
  }, 15_000);

  test('a key the server does not accept: E_AUTH naming what was tried', async () => {
    const stranger = await generateKey(join(scratch, 'stranger'), 'stranger');
    const e = await failure(direct(fleet.hosts[0]!, { identityFile: stranger.path }).connect());
    expect(e.code).toBe('E_AUTH');
    expect(e.exit).toBe(4);
    expect(e.message).toBe(`root@127.0.0.1:${fleet.hosts[0]!.port}: authentication failed for root@127.0.0.1 (tried: ${stranger.path})`);
  }, 15_000);

  test('an encrypted key: a clear E_AUTH without a passphrase, a login with one', async () => {
    const locked = await generateKey(join(scratch, 'locked'), 'locked', 'correct horse');
    await appendLines(fleet.authorizedKeys, [locked.pub]);
    const e = await failure(direct(fleet.hosts[0]!, { identityFile: locked.path }).connect());
    expect(e.code).toBe('E_AUTH');
    expect(e.details.join('\n')).toContain(`${locked.path} is encrypted and no passphrase was given: load it into ssh-agent`);
    const asked: string[] = [];
    const t = direct(fleet.hosts[0]!, {
      identityFile: locked.path,
      passphrasePrompt: async (path) => {
        asked.push(path);
        return 'correct horse';
      },
    });
    expect((await t.exec(argv('echo', 'unlocked'))).stdout).toBe('unlocked\n');
    expect(asked).toEqual([locked.path]);
    // A fleet asks once per key, not once per host.
    const prompt = async (path: string) => {
      asked.push(path);
      await sleep(100);
      return 'correct horse';
    };
    const fleetOf3 = fleet.hosts.map((h) => direct(h, { identityFile: locked.path, passphrasePrompt: prompt }));
    await Promise.all(fleetOf3.map((x) => x.connect()));
    expect(asked).toEqual([locked.path, locked.path]);
  }, 15_000);

  test('a dropped connection fails the running command with E_CONNECT "connection lost"', async () => {
    const solo = await startHosts(1);
    try {
      const t = createSshTransport(spec('web1'), { configFile: solo.sshConfig, connectTimeoutMs: 5_000, keepaliveMs: 15_000, forwardAgent: false });
      await t.connect();
      const running = failure(t.exec(argv('sleep', '30')));
      await new Promise((r) => setTimeout(r, 200));
      await solo.kill(0);
      const e = await running;
      expect(e.code).toBe('E_CONNECT');
      expect(e.exit).toBe(4);
      expect(e.message).toContain('web1');
      expect(e.message).toContain('connection lost');
      expect((await failure(t.exec(argv('true')))).message).toContain('connection lost');
      await t.close();
    } finally {
      await solo.stop();
    }
  }, 30_000);
});

describe('the TCP connection opened while ssh2 loads (ssh-dial.ts)', () => {
  const countLines = async (h: SshdHost, start: string) => (await readLog(h)).split('\n').filter((l) => l.startsWith(start)).length;

  test('the socket dialed early is the one that logs in: one TCP connection per transport, none left over', async () => {
    const h = fleet.hosts[2]!;
    const before = { tcp: await countLines(h, 'Connection from '), login: fleet.acceptedConnections(h), closed: await countLines(h, 'Connection closed by ') };
    for (let i = 0; i < 3; i++) {
      const t = transport(spec('web3'));
      expect((await t.exec(argv('echo', 'hi'))).stdout).toBe('hi\n');
      await t.close();
    }
    await sleep(200); // sshd writes its log lines as it gets to them
    expect(await countLines(h, 'Connection from ')).toBe(before.tcp + 3);
    expect(fleet.acceptedConnections(h)).toBe(before.login + 3);
    // A second socket dialed and dropped unused would show as a connection closed before login.
    expect(await countLines(h, 'Connection closed by ')).toBe(before.closed);
    expect(await readLog(h)).not.toMatch(/identification string|banner exchange/);
  }, 30_000);

  test('an error met before ssh2 takes the socket is kept, not thrown, and handed over', async () => {
    const refused = dial('127.0.0.1', await closedPort());
    const hangUp = createServer((s) => s.end());
    await new Promise<void>((r) => hangUp.listen(0, '127.0.0.1', r));
    try {
      const hungUp = dial('127.0.0.1', (hangUp.address() as AddressInfo).port);
      await sleep(300); // both have met their fate; an unhandled 'error' would have failed the run
      const a = refused.take();
      expect((a.error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNREFUSED');
      const b = hungUp.take();
      expect(b.socket.destroyed).toBe(true);
      expect((b.error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    } finally {
      hangUp.close();
    }
  }, 15_000);

  test('sent settles once the connect has left the process, not after what is queued behind dial()', async () => {
    const silent = await listenSilently();
    try {
      const port = (silent.address() as AddressInfo).port;
      const dialed = dial('127.0.0.1', port);
      const { socket } = dialed.take();
      socket.on('error', () => {}); // taken: its errors are ours (the server is closed below)
      // Issued: the kernel lists the connection (Linux), whatever Node says of it.
      const issued = () => ownConnections([port]) > 0;
      // A promise job queued right after dial(), as loading ssh2 is, runs before the connect:
      // why `sent` exists (Node issues it on the next tick).
      const seenByQueuedJob = await Promise.resolve().then(issued);
      await dialed.sent;
      expect(issued()).toBe(true);
      expect(seenByQueuedJob).toBe(false);
      socket.destroy();
    } finally {
      silent.close();
    }
  }, 15_000);

  test('discard closes a socket nobody took, and leaves a taken one alone', async () => {
    const silent = await listenSilently();
    try {
      const port = (silent.address() as AddressInfo).port;
      const unused = dial('127.0.0.1', port);
      const used = dial('127.0.0.1', port);
      await sleep(100);
      const { socket } = used.take();
      unused.discard();
      used.discard();
      await sleep(100);
      expect(socket.destroyed).toBe(false);
      expect(unused.take().socket.destroyed).toBe(true);
      socket.destroy();
    } finally {
      silent.close();
    }
  }, 15_000);

  // At once: usually before ssh2 has the socket (ssh-dial.ts reports it); after 300 ms: always
  // after (ssh2 reports it). Either way the same words, long before the connect timeout.
  test.each([0, 300])('a server that hangs up %i ms after accepting: E_CONNECT with the reason', async (delayMs) => {
    const hangUp = createServer((s) => void setTimeout(() => s.end(), delayMs));
    await new Promise<void>((r) => hangUp.listen(0, '127.0.0.1', r));
    try {
      const started = performance.now();
      const e = await failure(direct({ port: (hangUp.address() as AddressInfo).port }, { connectTimeoutMs: 20_000 }).connect());
      expect(e.code).toBe('E_CONNECT');
      expect(e.message).toContain('the server closed the connection during the handshake');
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      hangUp.close();
    }
  }, 30_000);
});

describe('the round-trip estimate that sizes uploads (round-trips.ts)', () => {
  test('hosts at one address share it: a host that has not run anything yet has the estimate of one that has', async () => {
    // One channel each: no held shell, whose open at connect would be a sample of its own.
    const shared = new RoundTrips();
    const a = direct(fleet.hosts[0]!, { roundTrips: shared, maxChannels: 1 });
    const b = direct(fleet.hosts[1]!, { roundTrips: shared, maxChannels: 1 });
    const alone = direct(fleet.hosts[2]!, { maxChannels: 1 });
    await Promise.all([b.connect(), alone.connect()]);
    expect(b.roundTripMs).toBeUndefined();
    await a.exec(argv('true'));
    expect(a.roundTripMs).toBeGreaterThan(0);
    expect(b.roundTripMs).toBe(a.roundTripMs);
    expect(alone.roundTripMs, 'a transport with its own estimate').toBeUndefined();
    // The quickest open of any of them is the estimate of all.
    for (let i = 0; i < 3; i++) await b.exec(argv('true'));
    expect(a.roundTripMs).toBe(b.roundTripMs);
  }, 30_000);

  test("the transports of one command share one estimate (the CLI's transport factory)", async () => {
    const stage = { ssh: { configFile: fleet.sshConfig, connectTimeoutMs: 5_000, keepaliveMs: 15_000, forwardAgent: false }, hosts: [spec('web1'), spec('web2')] } as unknown as StageConfig;
    const make = await makeTransportFactory(stage, { acceptNewHostKeys: false });
    const [one, two] = [make(spec('web1')) as SshTransport, make(spec('web2')) as SshTransport];
    open.push(one, two);
    await one.exec(argv('true'));
    await two.connect();
    expect(two.roundTripMs).toBe(one.roundTripMs);
    expect(two.roundTripMs).toBeGreaterThan(0);
  }, 30_000);
});

describe('plain reasons for what the socket and ssh2 report', () => {
  const target = { alias: 'web1', hostname: 'web1.example.com', port: 2222, user: 'deploy' } as SshTarget;
  const jump = { alias: 'bastion', hostname: 'bastion.example.com', port: 22, user: 'ops' } as SshTarget;
  const err = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);
  test.each([
    [{ code: 'ECONNREFUSED' }, 'E_CONNECT', 'web1 (deploy@web1.example.com:2222): connection refused (is sshd running on web1.example.com:2222?)'],
    [{ code: 'ENOTFOUND', level: 'client-dns' }, 'E_CONNECT', 'web1 (deploy@web1.example.com:2222): unknown host name "web1.example.com" (it does not resolve; check the name, or HostName in ~/.ssh/config)'],
    [{ code: 'EAI_AGAIN' }, 'E_CONNECT', 'unknown host name "web1.example.com"'],
    [{ level: 'client-timeout' }, 'E_CONNECT', 'web1 (deploy@web1.example.com:2222): timed out after 10s'],
    [{ code: 'EHOSTUNREACH' }, 'E_CONNECT', 'no route to web1.example.com:2222'],
    [{ level: 'client-authentication' }, 'E_AUTH', 'authentication failed for deploy@web1.example.com (tried: agent, ~/.ssh/id_ed25519)'],
    [{ level: 'handshake' }, 'E_CONNECT', 'SSH handshake failed: boom'],
  ])('%o → %s', (props, code, text) => {
    const e = connectError(err('boom', props), { target, timeoutMs: 10_000, tried: ['agent', '~/.ssh/id_ed25519'] });
    expect(e.code).toBe(code);
    expect(e.exit).toBe(4);
    expect(e.host).toBe('web1');
    expect(e.message).toContain(text);
  });

  test("ssh2's 'Connection lost before handshake' reads as the hang-up it is", () => {
    const e = connectError(err('Connection lost before handshake', { level: 'protocol' }), { target, timeoutMs: 10_000 });
    expect(e.message).toBe(
      'web1 (deploy@web1.example.com:2222): the server closed the connection during the handshake (sshd refused us: MaxStartups, a firewall, or tcp wrappers?)',
    );
  });

  test('a failure at a jump host names both', () => {
    const e = connectError(err('x', { code: 'ECONNREFUSED' }), { target: jump, via: target, timeoutMs: 10_000 });
    expect(e.message).toBe(
      'web1 (deploy@web1.example.com:2222) via jump host bastion (ops@bastion.example.com:22): connection refused (is sshd running on bastion.example.com:22?)',
    );
    expect(e.host).toBe('web1');
  });
});

describe('ssh-agent', () => {
  let agent: ChildProcess | undefined;
  let sock: string;
  let agentKeyPub: string;

  beforeAll(async () => {
    sock = join(scratch, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !existsSync(sock); i++) await sleep(10);
    // A key that exists only in the agent: its private file is deleted once added.
    const k = await generateKey(join(scratch, 'agent_only'), 'agent-only');
    agentKeyPub = `${k.path}.pub`;
    await appendLines(fleet.authorizedKeys, [k.pub]);
    const added = await runArgv(['ssh-add', k.path], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    expect(added.code).toBe(0);
    await unlink(k.path);
  }, 15_000);

  afterAll(async () => {
    if (agent?.pid !== undefined) {
      agent.kill('SIGTERM');
      await waitGone([agent.pid], 5_000);
    }
  });

  async function agentConfig(name: string, identityFile: string): Promise<string> {
    const file = join(scratch, name);
    const h = fleet.hosts[0]!;
    await writeFile(
      file,
      `Host agented\n  HostName 127.0.0.1\n  Port ${h.port}\n  User root\n  IdentityAgent ${sock}\n` +
        `  IdentityFile ${identityFile}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${fleet.knownHosts}\n`,
    );
    return file;
  }

  test('a key held only by the agent logs in; IdentitiesOnly selects it by its .pub', async () => {
    const t = transport(spec('agented'), { configFile: await agentConfig('agent_ok_config', agentKeyPub.replace(/\.pub$/, '')) });
    expect((await t.exec(argv('cat', '/srv/marker'))).stdout).toBe('host 0');
  }, 15_000);

  test('IdentitiesOnly keeps other agent keys out', async () => {
    const other = await generateKey(join(scratch, 'not_in_agent'), 'other');
    const e = await failure(transport(spec('agented'), { configFile: await agentConfig('agent_no_config', other.path) }).connect());
    expect(e.code).toBe('E_AUTH');
    expect(e.message).toContain(`(tried: ${other.path})`);
  }, 15_000);
});

describe('ssh config', () => {
  test('an alias resolves to HostName, Port, User and IdentityFile', async () => {
    const h = fleet.hosts[1]!;
    const t = transport(spec('web2'));
    expect((await t.exec(argv('cat', '/srv/marker'))).stdout).toBe('host 1');
    expect(t.resolved).toMatchObject({ hostname: '127.0.0.1', port: h.port, user: 'root', identityFiles: [fleet.clientKey], identitiesOnly: true });
  }, 15_000);

  test("deploy.yml's port wins over the ssh config's", async () => {
    const t = transport(spec('web2', { port: fleet.hosts[0]!.port }));
    expect((await t.exec(argv('cat', '/srv/marker'))).stdout).toBe('host 0');
  }, 15_000);

  test('ProxyJump reaches a host that only the jump host can reach, verifying both keys', async () => {
    const { jump, behind } = fleet.jump!;
    const before = { jump: fleet.acceptedConnections(jump), behind: fleet.acceptedConnections(behind) };
    const refused = await failure(direct(behind).connect());
    expect(refused.message).toContain('connection refused');

    const t = transport(spec('behind'));
    await writeFile(`${behind.root}/marker`, 'behind the jump host');
    expect((await t.exec(argv('cat', '/srv/marker'))).stdout).toBe('behind the jump host');
    expect((await t.exec(argv('true'))).code).toBe(0);
    expect(t.resolved?.jumps.map((j) => j.alias)).toEqual(['jump']);
    expect(fleet.acceptedConnections(jump)).toBe(before.jump + 1);
    expect(fleet.acceptedConnections(behind)).toBe(before.behind + 1);
  }, 15_000);

  test('a ProxyJump chain: web1, then jump, then behind; one connection each', async () => {
    const { jump, behind } = fleet.jump!;
    const web1 = fleet.hosts[0]!;
    const file = join(scratch, 'chain_config');
    const cfg = await readFile(fleet.sshConfig, 'utf8');
    await writeFile(file, `Host chained\n  HostName 127.0.0.1\n  Port ${behind.port}\n  ProxyJump web1,jump\n\n${cfg.replace(/^Host web1 /m, 'Host chained web1 ')}`);
    await writeFile(`${behind.root}/marker`, 'behind two hops');
    const before = [web1, jump, behind].map((h) => fleet.acceptedConnections(h));
    const t = transport(spec('chained'), { configFile: file });
    expect((await t.exec(argv('cat', '/srv/marker'))).stdout).toBe('behind two hops');
    expect(t.resolved?.jumps.map((j) => j.alias)).toEqual(['web1', 'jump']);
    expect([web1, jump, behind].map((h, i) => fleet.acceptedConnections(h) - before[i]!)).toEqual([1, 1, 1]);
  }, 15_000);

  test('the host key of the jump host is checked too', async () => {
    const { behind } = fleet.jump!;
    const onlyBehind = join(scratch, 'only_behind_known_hosts');
    await writeFile(onlyBehind, `${knownHostsLine('127.0.0.1', behind.port, behind.hostKeyPub)}\n`);
    const e = await failure(transport(spec('behind'), { knownHostsFiles: [onlyBehind] }).connect());
    expect(e.code).toBe('E_HOST_KEY_UNKNOWN');
    expect(e.message).toContain('via jump host jump');
  }, 15_000);
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Accepts TCP and never says a word: the shape of a firewall that swallows packets. */
function listenSilently(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const sockets: import('node:net').Socket[] = [];
    const s = createServer((sock) => sockets.push(sock));
    s.once('error', reject);
    s.on('close', () => sockets.forEach((x) => x.destroy()));
    s.listen(0, '127.0.0.1', () => resolve(s));
    const close = s.close.bind(s);
    s.close = ((cb?: (err?: Error) => void) => {
      sockets.forEach((x) => x.destroy());
      return close(cb);
    }) as Server['close'];
  });
}
