// Starts one OpenSSH sshd as a "host": its own config, host key, log, HOME, and a mount
// namespace with a private tmpfs on /srv and /tmp, so every host has the same deploy_to path
// on its own disk. Optionally in a network namespace of its own (or another host's), which is
// how the jump-host setup hides a target from everything but the jump host.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { writeAccounts, type DeployUser } from './accounts.js';
import { isAlive, killQuietly, sleep } from './proc.js';

export interface SshdSpec {
  /** Directory for this host's files (config, log, home); must not be under /tmp (see below). */
  dir: string;
  port: number;
  hostKey: string;
  authorizedKeys: string;
  /** 'host': the machine's network; 'new': a fresh network namespace with only loopback up;
   *  a number: join the network namespace of that PID. */
  network: 'host' | 'new' | number;
  /** sshd_config lines placed before the defaults, so they override them (no Match blocks). */
  extraConfig?: readonly string[];
  /** Adds this non-root user inside the host's namespace (its own /etc/passwd and /etc/group). */
  deployUser?: DeployUser;
}

export interface SshdProcess {
  pid: number;
  child: ChildProcess;
  logFile: string;
  home: string;
  exited: Promise<void>;
}

const SSHD = '/usr/sbin/sshd';

function configText(spec: SshdSpec, home: string): string {
  return [
    // sshd keeps the first value it reads for a keyword: extra lines go first so they win.
    ...(spec.extraConfig ?? []),
    'ListenAddress 127.0.0.1',
    `Port ${spec.port}`,
    `HostKey ${spec.hostKey}`,
    'LogLevel VERBOSE', // one "Accepted publickey" line per connection: how tests count them
    'UsePAM no',
    'StrictModes no', // the harness files live in a shared temp dir, not a 0700 ~/.ssh
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin yes', // tests run as root on this machine
    `AuthorizedKeysFile ${spec.authorizedKeys}`,
    'PidFile none',
    'MaxSessions 100', // many exec channels on one connection
    'MaxStartups 100:30:200', // many hosts/connections at once from parallel tests
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'AllowTcpForwarding yes', // a jump host forwards with direct-tcpip
    // sshd sets HOME from the passwd entry (/root, whose .bashrc runs pyenv: ~0.3 s per
    // command); SetEnv overrides it, so bash reads an empty rc from a per-host home instead.
    // The working directory of a session is still /root (sshd chdirs to pw_dir).
    `SetEnv HOME=${home}`,
    // OpenSSH 9.2's default post-quantum kex is not in ssh2: disable it so ssh and ssh2 compare fairly.
    'KexAlgorithms -sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

/**
 * The argv that builds the namespaces and then execs sshd, so the PID we spawn *is* sshd
 * (unshare, nsenter and sh all exec). Paths go in as positional parameters, never spliced
 * into the script. The private /tmp is why the harness dir lives outside /tmp.
 */
function launchArgv(spec: SshdSpec, configFile: string, logFile: string, accounts?: { passwd: string; group: string }): string[] {
  const users = accounts ? ' && mount --bind "$3" /etc/passwd && mount --bind "$4" /etc/group' : '';
  const mounts = `mount -t tmpfs tmpfs /srv && mount -t tmpfs tmpfs /tmp${users}`;
  const linkUp = spec.network === 'new' ? 'ip link set lo up && ' : '';
  const script = `${linkUp}${mounts} && exec ${SSHD} -D -f "$1" -E "$2"`;
  const unshare = ['unshare', '--mount', '--propagation', 'private', ...(spec.network === 'new' ? ['--net'] : [])];
  const inner = [...unshare, 'sh', '-c', script, 'sh', configFile, logFile, ...(accounts ? [accounts.passwd, accounts.group] : [])];
  return typeof spec.network === 'number' ? ['nsenter', `--net=/proc/${spec.network}/ns/net`, ...inner] : inner;
}

export async function startSshd(spec: SshdSpec, timeoutMs = 10_000): Promise<SshdProcess> {
  const home = join(spec.dir, 'home');
  await mkdir(home, { recursive: true });
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation dir
  const configFile = join(spec.dir, 'sshd_config');
  const logFile = join(spec.dir, 'sshd.log');
  await writeFile(configFile, configText(spec, home));
  await writeFile(logFile, '');
  const accounts = spec.deployUser ? await writeAccounts(spec.dir, home, spec.deployUser) : undefined;
  const [file, ...args] = launchArgv(spec, configFile, logFile, accounts);
  const child = spawn(file!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn sshd: ${stderr}`);
  const proc: SshdProcess = { pid, child, logFile, home, exited };
  try {
    await waitListening(proc, spec, timeoutMs, () => stderr);
  } catch (e) {
    killQuietly(pid, 'SIGKILL');
    await exited;
    throw e;
  }
  return proc;
}

/**
 * Ready means: sshd logged "Server listening" for our port, is still alive (a lost port race
 * makes it exit), and — when reachable from here — the port accepts a TCP connection.
 */
async function waitListening(proc: SshdProcess, spec: SshdSpec, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const needle = `Server listening on 127.0.0.1 port ${spec.port}.`;
  for (let i = 0; i < 2_000 && Date.now() < deadline; i++) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null || !isAlive(proc.pid)) {
      const log = await readFile(proc.logFile, 'utf8').catch(() => '');
      throw new Error(`sshd on port ${spec.port} exited during startup: ${(stderr() + log).trim()}`);
    }
    const log = await readFile(proc.logFile, 'utf8').catch(() => '');
    if (log.includes(needle) && (spec.network !== 'host' || (await accepts(spec.port)))) return;
    await sleep(10);
  }
  throw new Error(`sshd on port ${spec.port} not listening after ${timeoutMs} ms`);
}

export function accepts(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
