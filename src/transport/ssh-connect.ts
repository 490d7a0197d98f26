// Opens the one SSH connection to a host, through its jump hosts: each hop is an ssh2 Client
// whose socket is a direct-tcpip channel (`forwardOut`) on the previous one, and each hop has
// its host key verified and its own authentication. Loaded lazily (it pulls in ssh2), only when
// a stage actually uses SSH.
import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import ssh2 from 'ssh2'; // CommonJS: its named exports are only on the default export
import type { Client, ConnectConfig } from 'ssh2';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { prepareAuth, type PassphrasePrompt } from './ssh-auth.js';
import type { SshTarget } from './ssh-config-resolve.js';
import { dial, hungUpBeforeLogin, type Dialed } from './ssh-dial.js';
import { connectError, describeTarget } from './ssh-errors.js';
import { prepareHostKeyCheck } from './ssh-host-key.js';

export interface ConnectOptions {
  connectTimeoutMs: number;
  keepaliveMs: number;
  forwardAgent: boolean;
  acceptNewHostKeys: boolean;
  knownHostsFiles?: readonly string[];
  passphrasePrompt?: PassphrasePrompt;
  home: string;
  /** The TCP connection to the route's first hop, opened before ssh2 loaded (ssh-dial.ts). */
  dialed?: Dialed;
  /** Called once if an established connection (or one of its hops) goes away. */
  onLost: (reason: string) => void;
}

export interface Connection {
  client: Client;
  /** Jump host clients, in connection order; closed after the target. */
  jumps: Client[];
  /** Handshake + auth time of the whole route, for --verbose and the benchmarks. */
  ms: number;
}

// Fast first: AES-GCM and AES-CTR use AES-NI; chacha20 is the fallback for CPUs without it.
const CIPHERS = [
  'aes128-gcm@openssh.com',
  'aes128-ctr',
  'chacha20-poly1305@openssh.com',
  'aes256-gcm@openssh.com',
  'aes256-ctr',
  'aes192-ctr',
];

export async function openConnection(target: SshTarget, opts: ConnectOptions): Promise<Connection> {
  const started = performance.now();
  const route = [...target.jumps, target];
  const clients: Client[] = [];
  try {
    for (const [i, hop] of route.entries()) {
      const via = hop === target ? undefined : target;
      const prev = clients[i - 1];
      const client = await connectHop(hop, via, prev, i === 0 ? opts.dialed : undefined, opts);
      clients.push(client);
    }
  } catch (e) {
    opts.dialed?.discard(); // unless the first hop took it: its client owns it now
    for (const c of clients.reverse()) c.end();
    throw e;
  }
  let lost = false;
  const markLost = (reason: string) => {
    if (lost) return;
    lost = true;
    opts.onLost(reason);
  };
  for (const c of clients) {
    c.on('error', (e: Error) => markLost(e.message));
    c.on('close', () => markLost('the server closed the connection'));
  }
  const client = clients.pop()!;
  return { client, jumps: clients, ms: performance.now() - started };
}

/** The TCP socket of each client that reached its host directly (not through a jump host). */
const tcpSockets = new WeakMap<Client, Socket>();

const CLOSE_WAIT_MS = 2_000;

/** The target first, then the jump hosts it runs through, each given a moment to say goodbye. */
export async function closeConnection(conn: Connection): Promise<void> {
  for (const c of [conn.client, ...conn.jumps.slice().reverse()]) await endClient(c);
}

function endClient(c: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.destroy();
      resolve();
    }, CLOSE_WAIT_MS);
    c.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    c.on('error', () => {});
    // Every command has finished: once our goodbye is flushed, our socket can close. Waiting for
    // the server to close its side cost a round trip and sshd's teardown (~25 ms per host,
    // 100-200 ms at 20 hosts), for nothing.
    const tcp = tcpSockets.get(c);
    tcp?.once('finish', () => tcp.destroy());
    c.end();
  });
}

/** One hop: TCP (or a channel on the previous hop), host key check, auth, under one timer. */
async function connectHop(hop: SshTarget, via: SshTarget | undefined, prev: Client | undefined, dialed: Dialed | undefined, opts: ConnectOptions): Promise<Client> {
  const timeoutMs = hop.connectTimeoutMs ?? opts.connectTimeoutMs;
  const timer = new PausableTimer(timeoutMs);
  const hostKey = await prepareHostKeyCheck(hop, {
    acceptNew: opts.acceptNewHostKeys,
    ...(opts.knownHostsFiles ? { files: opts.knownHostsFiles } : {}),
    ...(via ? { via } : {}),
  });
  let prompted = false;
  const auth = await prepareAuth(ssh2, hop, {
    home: opts.home,
    ...(opts.passphrasePrompt ? { passphrasePrompt: opts.passphrasePrompt } : {}),
    onPrompt: (active) => {
      prompted = true;
      if (active) timer.pause();
      else timer.resume();
    },
  });
  // A socket opened before a person typed a passphrase may have met sshd's LoginGraceTime:
  // connect afresh after a prompt, as if nothing had been dialed.
  if (prompted) dialed?.discard();
  const ctx = () => ({ target: hop, ...(via ? { via } : {}), timeoutMs, tried: auth.tried, authNotes: auth.notes });

  // One timer for the whole hop (channel through the previous hop, handshake, auth); what it
  // interrupts changes as the hop progresses.
  let onTimeout: () => void = () => {};
  timer.start(() => onTimeout());
  let sock: Readable | undefined;
  try {
    sock = prev ? await forward(prev, hop, via ?? hop, (f) => (onTimeout = f)) : undefined;
  } catch (e) {
    timer.stop();
    throw e;
  }
  const client = new ssh2.Client();
  // Our own socket where the hop is reached directly, so that closing need not wait for the server.
  const direct = sock ? undefined : (dialed && !prompted ? dialed : dial(hop.hostname, hop.port)).take();
  const tcp = direct?.socket;
  if (tcp) tcpSockets.set(client, tcp);
  let hostKeyError: ShipyamlError | undefined;
  const config: ConnectConfig = {
    host: hop.hostname,
    port: hop.port,
    username: hop.user,
    sock: sock ?? tcp,
    readyTimeout: 0, // our own timer, which stops while a passphrase is typed
    keepaliveInterval: hop.serverAliveIntervalMs ?? opts.keepaliveMs,
    keepaliveCountMax: hop.serverAliveCountMax,
    algorithms: { serverHostKey: hostKey.algorithms as never, cipher: CIPHERS as never, compress: ['none'] },
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      hostKey.verify(key).then(
        () => verify(true),
        (e: unknown) => {
          hostKeyError = e instanceof ShipyamlError ? e : connectError(e, ctx());
          verify(false);
        },
      );
    },
    authHandler: auth.handler,
    ...(auth.agent && (hop.forwardAgent ?? opts.forwardAgent) && !via ? { agent: auth.agent, agentForward: true } : {}),
  };

  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      timer.stop();
      client.removeAllListeners('ready');
      client.on('error', () => {}); // late errors from a connection we are abandoning
      client.destroy();
      reject(hostKeyError ?? connectError(e, ctx()));
    };
    onTimeout = () => fail(Object.assign(new Error('timeout'), { level: 'client-timeout' }));
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      timer.stop();
      resolve(client);
    });
    client.on('error', (e: Error & { level?: string }) => {
      // Non-fatal during auth: an unreachable agent or a key that cannot sign; ssh2 moves on.
      if (e.level === 'agent' || (e.level === 'client-authentication' && /signing|sign/i.test(e.message))) {
        auth.notes.push(`${e.level}: ${e.message}`);
        return;
      }
      fail(e);
    });
    client.once('close', () => fail(hungUpBeforeLogin()));
    if (direct?.error) {
      direct.socket.destroy(); // ssh2 never had it
      fail(direct.error);
      return;
    }
    try {
      // ssh2 waits for 'connect' on a socket that is still connecting, and starts at once on one
      // already connected (a socket dialed early, whose data waits, paused, until ssh2 reads it).
      client.connect(config);
    } catch (e) {
      fail(e);
    }
  });
}

/** A direct-tcpip channel through `prev` to the hop: the jump server resolves and connects. */
function forward(prev: Client, hop: SshTarget, target: SshTarget, onTimeout: (f: () => void) => void): Promise<Readable> {
  return new Promise((resolve, reject) => {
    onTimeout(() =>
      reject(new ShipyamlError('E_CONNECT', `${describeTarget(target)}: timed out reaching ${hop.hostname}:${hop.port} through the jump host`, { host: target.alias, exit: 4 })),
    );
    prev.forwardOut('127.0.0.1', 0, hop.hostname, hop.port, (err, stream) => {
      if (err) {
        reject(
          new ShipyamlError('E_CONNECT', `${describeTarget(target)}: the jump host could not reach ${hop.hostname}:${hop.port} (${err.message.replace(/^\(SSH\) /, '')})`, {
            host: target.alias,
            exit: 4,
          }),
        );
        return;
      }
      resolve(stream);
    });
  });
}

/** A timeout that can stop counting while we wait for a human (passphrase prompt). */
class PausableTimer {
  private handle: NodeJS.Timeout | undefined;
  private remaining: number;
  private since = 0;
  private onFire: (() => void) | undefined;
  constructor(private readonly ms: number) {
    this.remaining = ms;
  }
  start(onFire: () => void): void {
    this.stop();
    this.onFire = onFire;
    this.remaining = this.ms;
    this.resume();
  }
  pause(): void {
    if (!this.handle) return;
    clearTimeout(this.handle);
    this.handle = undefined;
    this.remaining -= performance.now() - this.since;
  }
  resume(): void {
    if (this.handle || !this.onFire || this.ms <= 0) return;
    this.since = performance.now();
    this.handle = setTimeout(this.onFire, Math.max(0, this.remaining));
  }
  stop(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.onFire = undefined;
  }
}
