// A fleet of real OpenSSH sshd hosts on 127.0.0.1 for integration tests (DESIGN §7).
//
//   const fleet = await startHosts(3, { jump: true });
//   // ssh -F fleet.sshConfig web1 …   or shipyaml with ssh.config_file = fleet.sshConfig
//   await fleet.stop();
//
// Each host: own port, own ed25519 host key, own sshd_config/log/HOME, and its own mount
// namespace with private tmpfs /srv and /tmp (same deploy_to path, different disk). From the
// test process a host's /srv is visible at host.root (= /proc/PID/root/srv).
//
// The jump option adds "jump" and "behind": both live in a private network namespace that has
// only loopback. The sole way in is a door port on 127.0.0.1 that forwards to the jump sshd;
// "behind" listens only inside that namespace, so a connection that reaches it can only have
// come through the jump host (a direct connect to its port is refused). See README.md here.
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pickDeployUser, type DeployUser } from './accounts.js';
import { openDoor, type Door } from './door.js';
import { generateKey, knownHostsLine, sshConfigText, type ConfigEntry } from './keys.js';
import { descendants, killQuietly, runArgv, waitGone, type RunResult } from './proc.js';
import { startSshd, type SshdProcess } from './sshd-process.js';

export interface SshdHost {
  /** The Host alias in fleet.sshConfig: web1, web2…, jump, behind. */
  alias: string;
  hostname: '127.0.0.1';
  /** The port clients connect to (for "jump": the door; for "behind": only valid inside the namespace). */
  port: number;
  pid: number;
  logFile: string;
  /** "ssh-ed25519 AAAA… alias" */
  hostKeyPub: string;
  hostKeyFile: string;
  /** This host's /srv seen from the test process (read and write it directly). */
  root: string;
  /** This host's /tmp seen from the test process. */
  tmp: string;
  /** HOME of remote sessions on this host (a plain directory, shared mount). */
  home: string;
  /** Reachable only through the jump host. */
  private: boolean;
}

export interface StartOptions {
  /** Add the "jump" and "behind" hosts (not counted in n). */
  jump?: boolean;
  /** Alias prefix for the n hosts (default "web" → web1, web2…). */
  prefix?: string;
  /** Extra sshd_config lines for every host; they override the harness defaults (e.g. 'LogLevel DEBUG1'). */
  sshdConfig?: readonly string[];
  /** Base directory (default $SHIPYAML_HARNESS_TMP or /var/tmp: not /tmp, which hosts hide). */
  baseDir?: string;
  startTimeoutMs?: number;
}

export interface Fleet {
  dir: string;
  /** The ssh config logs in as root; every host also has this non-root user (same key). */
  user: 'root';
  deployUser: DeployUser;
  hosts: SshdHost[];
  jump?: { jump: SshdHost; behind: SshdHost; doorPid: number };
  clientKey: string;
  clientKeyPub: string;
  /** The file sshd reads for every host: append a public key line to authorize another key. */
  authorizedKeys: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 …` for every host, including jump and behind. */
  knownHosts: string;
  sshConfig: string;
  host(aliasOrIndex: string | number): SshdHost;
  /** Runs `sh -c cmd` inside the host's namespaces (its /srv and /tmp), with HOME = host.home. */
  run(host: string | number | SshdHost, shellCmd: string, timeoutMs?: number): Promise<RunResult>;
  /** How many "Accepted publickey" lines the host's sshd has logged: one per connection. */
  acceptedConnections(host: string | number | SshdHost): number;
  /** Pulls the plug on one host: SIGKILL to its sshd and every session process under it. */
  kill(host: string | number | SshdHost): Promise<void>;
  /** Kills only what this fleet started, waits for it, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const STARTS_PER_HOST = 5; // a port found free can be taken before sshd binds it: retry

export async function startHosts(n: number, opts: StartOptions = {}): Promise<Fleet> {
  if (!Number.isInteger(n) || n < 0 || n > 50) throw new Error(`startHosts: n must be 0..50 (got ${n})`);
  const base = opts.baseDir ?? process.env.SHIPYAML_HARNESS_TMP ?? '/var/tmp';
  const dir = await mkdtemp(join(base, 'shipyaml-sshd-'));
  // sshd reads authorized_keys as the user logging in: the non-root user must reach it.
  await chmod(dir, 0o755);
  const started = new Map<SshdHost, SshdProcess>();
  let door: Door | undefined;
  const cleanupOnExit = () => {
    for (const p of started.values()) killQuietly(p.pid, 'SIGKILL');
    if (door) killQuietly(door.pid, 'SIGKILL');
  };
  process.once('exit', cleanupOnExit); // a crashed test run must not leave sshds behind
  try {
    const client = await generateKey(join(dir, 'client_ed25519'), 'shipyaml-test-client');
    const authorizedKeys = join(dir, 'authorized_keys');
    await writeFile(authorizedKeys, `${client.pub}\n`, { mode: 0o644 });
    const prefix = opts.prefix ?? 'web';
    const deployUser = await pickDeployUser();
    const common = { authorizedKeys, extra: opts.sshdConfig ?? [], timeoutMs: opts.startTimeoutMs ?? 10_000, deployUser };

    const hosts = await Promise.all(
      Array.from({ length: n }, (_, i) => startHost(dir, `${prefix}${i + 1}`, 'host', common, started)),
    );
    let jump: Fleet['jump'];
    if (opts.jump) {
      const j = await startHost(dir, 'jump', 'new', common, started);
      const behind = await startHost(dir, 'behind', j.pid, common, started);
      door = await openDoor(j.pid, j.port);
      // Clients reach the jump host through the door; its inner port is an internal detail.
      j.port = door.port;
      jump = { jump: j, behind, doorPid: door.pid };
    }
    const all = [...hosts, ...(jump ? [jump.jump, jump.behind] : [])];

    const knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, all.map((h) => `${knownHostsLine(h.hostname, h.port, h.hostKeyPub)}\n`).join(''));
    const sshConfig = join(dir, 'ssh_config');
    const entries: ConfigEntry[] = all.map((h) => ({
      alias: h.alias,
      hostname: h.hostname,
      port: h.port,
      ...(h.private ? { proxyJump: 'jump' } : {}),
    }));
    await writeFile(sshConfig, sshConfigText(entries, { user: 'root', identityFile: client.path, knownHosts }));

    const find = (h: string | number | SshdHost): SshdHost => {
      const found = typeof h === 'object' ? h : typeof h === 'number' ? hosts[h] : all.find((x) => x.alias === h);
      if (!found) throw new Error(`no such host in the fleet: ${String(h)}`);
      return found;
    };
    let stopped = false;
    const fleet: Fleet = {
      dir,
      user: 'root',
      deployUser,
      hosts,
      ...(jump ? { jump } : {}),
      clientKey: client.path,
      clientKeyPub: client.pub,
      authorizedKeys,
      knownHosts,
      sshConfig,
      host: find,
      run: (h, cmd, timeoutMs = 30_000) => {
        const host = find(h);
        return runArgv(['nsenter', '-t', String(host.pid), '-m', '-n', 'sh', '-c', cmd], {
          timeoutMs,
          env: { ...process.env, HOME: host.home },
        });
      },
      acceptedConnections: (h) => {
        const log = readFileSync(find(h).logFile, 'utf8');
        return log.split('\n').filter((l) => l.startsWith('Accepted publickey for ')).length;
      },
      kill: async (h) => {
        const p = started.get(find(h));
        if (p) await killTree(p);
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll(started, door);
        process.removeListener('exit', cleanupOnExit);
        if (!process.env.SHIPYAML_HARNESS_KEEP) await rm(dir, { recursive: true, force: true });
      },
    };
    return fleet;
  } catch (e) {
    await stopAll(started, door);
    process.removeListener('exit', cleanupOnExit);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

async function startHost(
  dir: string,
  alias: string,
  network: 'host' | 'new' | number,
  common: { authorizedKeys: string; extra: readonly string[]; timeoutMs: number; deployUser: DeployUser },
  started: Map<SshdHost, SshdProcess>,
): Promise<SshdHost> {
  const hostDir = join(dir, alias);
  await mkdir(hostDir, { recursive: true });
  const key = await generateKey(join(hostDir, 'ssh_host_ed25519_key'), alias);
  let lastError: unknown;
  for (let attempt = 0; attempt < STARTS_PER_HOST; attempt++) {
    // Even inside a private network namespace the port is one that is free outside, so that
    // "[127.0.0.1]:PORT" in known_hosts never names two different hosts of this fleet.
    const port = await freePort();
    try {
      const p = await startSshd(
        {
          dir: hostDir,
          port,
          hostKey: key.path,
          authorizedKeys: common.authorizedKeys,
          network,
          extraConfig: common.extra,
          deployUser: common.deployUser,
        },
        common.timeoutMs,
      );
      const host: SshdHost = {
        alias,
        hostname: '127.0.0.1',
        port,
        pid: p.pid,
        logFile: p.logFile,
        hostKeyPub: key.pub,
        hostKeyFile: key.path,
        root: `/proc/${p.pid}/root/srv`,
        tmp: `/proc/${p.pid}/root/tmp`,
        home: p.home,
        private: network !== 'host' && alias !== 'jump',
      };
      started.set(host, p);
      return host;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`could not start sshd for ${alias} after ${STARTS_PER_HOST} attempts: ${String(lastError)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function killTree(p: SshdProcess): Promise<void> {
  // Collect the sessions first: once sshd is gone their parent link points elsewhere.
  const pids = [p.pid, ...descendants(p.pid)];
  for (const pid of pids) killQuietly(pid, 'SIGKILL');
  await Promise.race([p.exited, waitGone([p.pid], 5_000)]);
  await waitGone(pids, 5_000);
}

async function stopAll(started: Map<SshdHost, SshdProcess>, door: Door | undefined): Promise<void> {
  if (door) {
    killQuietly(door.pid, 'SIGKILL');
    await Promise.race([door.exited, waitGone([door.pid], 5_000)]);
  }
  await Promise.all([...started.values()].map(killTree));
}

/** Appends lines to a file (e.g. another key to fleet.authorizedKeys). */
export async function appendLines(file: string, lines: readonly string[]): Promise<void> {
  await appendFile(file, lines.map((l) => `${l}\n`).join(''));
}

/** The log of a host as text (for assertions with a message that shows it). */
export function readLog(host: SshdHost): Promise<string> {
  return readFile(host.logFile, 'utf8');
}
