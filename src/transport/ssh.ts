// The SSH transport: ONE connection per host for a whole command, every step a channel on it.
// This module is cheap to import: ssh2 and the config reader load on the first connect(), so
// commands that never reach a server (--version, validate, plan) never pay for them.
import { homedir, hostname, userInfo } from 'node:os';
import type { HostSpec, SshOptions } from '../config/stage-config.js';
import type { ShipyamlError } from '../errors/shipyaml-error.js';
import type { Cmd } from '../shell/cmd.js';
import { pathOf, RoundTrips } from './round-trips.js';
import type { PassphrasePrompt } from './ssh-auth.js';
import type { SshTarget } from './ssh-config-resolve.js';
import type { Connection } from './ssh-connect.js';
import type { ExecOptions, ExecResult, Transport } from './transport.js';
import type * as ExecModule from './ssh-exec.js';
import type * as HeldShellModule from './held-shell.js';
import type * as ErrorsModule from './ssh-errors.js';
import type * as ConnectModule from './ssh-connect.js';

export interface SshTransportOptions extends SshOptions {
  /** --accept-new-host-keys: record unknown host keys (changed keys are refused regardless). */
  acceptNewHostKeys?: boolean;
  /** Replaces the known_hosts files from the ssh config (tests); new keys go to the first. */
  knownHostsFiles?: string[];
  /** Same as configFile (deploy.yml ssh.config_file); this one wins when both are set. */
  sshConfigFile?: string;
  /** Asks for an encrypted key's passphrase (the CLI prompts on a TTY); none: such keys are skipped. */
  passphrasePrompt?: PassphrasePrompt;
  /** Channels open at once on the connection; sshd's default MaxSessions is 10. */
  maxChannels?: number;
  /** Shared by the transports of one command (see round-trips.ts); a private one otherwise. */
  roundTrips?: RoundTrips;
}

const DEFAULT_MAX_CHANNELS = 8;
/** How long close() waits for the held shell to end before it closes the connection anyway. */
const HELD_EXIT_WAIT_MS = 1_000;

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  private opening: Promise<Connection> | undefined;
  private conn: Connection | undefined;
  private target: SshTarget | undefined;
  private lostWith: ShipyamlError | undefined;
  private readonly pending = new Set<(e: ShipyamlError) => void>();
  private readonly slots: Array<() => void> = [];
  private active = 0;
  private closed = false;
  private readonly roundTrips: RoundTrips;
  /** The route's key in roundTrips, once resolved. */
  private path = '';
  private modules:
    | {
        execOnClient: typeof ExecModule.execOnClient;
        remoteCommand: typeof ExecModule.remoteCommand;
        connectionLost: typeof ErrorsModule.connectionLost;
        closeConnection: typeof ConnectModule.closeConnection;
        HeldShell: typeof HeldShellModule.HeldShell;
      }
    | undefined;
  /** Runs the commands that have no stdin, one after another (see held-shell.ts). */
  private held: HeldShellModule.HeldShell | undefined;

  constructor(
    readonly host: HostSpec,
    private readonly options: SshTransportOptions,
  ) {
    this.roundTrips = options.roundTrips ?? new RoundTrips();
  }

  /** The round-trip estimate that sizes uploads (ms); undefined before any exec on this path. */
  get roundTripMs(): number | undefined {
    return this.path ? this.roundTrips.estimate(this.path) : undefined;
  }

  /** Where the connection goes after the ssh config is applied (resolved on first connect). */
  get resolved(): SshTarget | undefined {
    return this.target;
  }

  async connect(): Promise<void> {
    if (this.lostWith) throw this.lostWith; // one connection per command: no silent reconnect
    if (this.conn) return;
    this.opening ??= this.open().catch((e: unknown) => {
      this.opening = undefined; // a failed connect may be retried (doctor, a second attempt)
      throw e;
    });
    this.conn = await this.opening;
    // The held shell starts now, not with the first command: sshd forks it and sh starts (~20 ms)
    // while the caller prepares that command. Every command run over SSH execs at least once.
    this.heldShell();
  }

  async exec(cmd: Cmd, options: ExecOptions = {}): Promise<ExecResult> {
    await this.connect();
    const { remoteCommand } = this.modules!;
    // A command without stdin goes to the held shell when it is free; one that streams stdin (an
    // upload), or comes while the held shell is busy, gets a session of its own. The held shell
    // keeps a channel, so it needs room for another beside it.
    if (!options.stdin && !options.signal?.aborted) {
      const held = this.heldShell();
      if (held?.idle) return held.run(cmd, options);
    }
    return this.execChannel(remoteCommand(cmd), options);
  }

  private get maxChannels(): number {
    return this.options.maxChannels ?? DEFAULT_MAX_CHANNELS;
  }

  /** One exec channel for `command`, within the connection's limit of channels open at once. */
  private async execChannel(command: string, options: ExecOptions): Promise<ExecResult> {
    const conn = this.conn!;
    const { execOnClient, connectionLost } = this.modules!;
    await this.acquire();
    try {
      return await execOnClient(conn.client, command, options, {
        lost: () => this.lostWith,
        track: (fail) => {
          this.pending.add(fail);
          return () => this.pending.delete(fail);
        },
        lostError: (reason) => connectionLost(this.target!, reason),
        opened: (ms) => this.roundTrips.record(this.path, ms),
        rttMs: () => this.roundTripMs,
      });
    } finally {
      this.release();
    }
  }

  /** The connection's held shell, started if there is none (none at all with fewer than 2 channels). */
  private heldShell(): HeldShellModule.HeldShell | undefined {
    if (this.maxChannels < 2) return undefined;
    return (this.held ??= this.holdShell());
  }

  private holdShell(): HeldShellModule.HeldShell {
    const { HeldShell, connectionLost } = this.modules!;
    const shell = new HeldShell(
      (command, run) => this.execChannel(command, run),
      () => this.lostWith ?? connectionLost(this.target!, 'the shell ended before the command finished'),
    );
    // An ended shell (an interrupt, a kill) is replaced by the next command that needs one.
    void shell.done.then(() => {
      if (this.held === shell) this.held = undefined;
    });
    return shell;
  }

  async close(): Promise<void> {
    this.closed = true;
    const held = this.held;
    this.held = undefined;
    if (held) {
      // It exits, and sshd reaps it and says so before the connection goes: closed at once, sshd
      // would leave the shell to init (a zombie where init does not reap, its CPU outside sshd's).
      // One round trip, bounded for a server that no longer answers.
      held.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([held.done, new Promise<void>((r) => (timer = setTimeout(r, HELD_EXIT_WAIT_MS)))]);
      clearTimeout(timer);
    }
    const conn = this.conn ?? (await this.opening?.catch(() => undefined));
    this.conn = undefined;
    this.opening = undefined;
    if (conn) await this.modules!.closeConnection(conn);
  }

  private async open(): Promise<Connection> {
    const [{ loadSshConfigText }, { resolveSshTarget }, { dial }] = await Promise.all([
      import('./ssh-config-files.js'),
      import('./ssh-config-resolve.js'),
      import('./ssh-dial.js'),
    ]);
    this.closed = false;
    const home = homedir();
    const configFile = this.options.sshConfigFile ?? this.options.configFile;
    const configText = await loadSshConfigText({ home, ...(configFile !== undefined ? { configFile } : {}) });
    const target = resolveSshTarget({
      host: this.host.hostname,
      ...(this.host.port !== undefined ? { port: this.host.port } : {}),
      ...(this.host.user !== undefined ? { user: this.host.user } : {}),
      ...(this.options.identityFile !== undefined ? { identityFile: this.options.identityFile } : {}),
      configText,
      env: { home, user: userInfo().username, uid: process.getuid?.() ?? 0, hostname: hostname() },
    });
    // Messages name the host as deploy.yml does.
    target.alias = this.host.name;
    this.target = target;
    this.path = pathOf([...target.jumps, target]);
    this.lostWith = undefined;
    // The server starts on its side of the connection while ssh2 loads (see ssh-dial.ts).
    const first = target.jumps[0] ?? target;
    const dialed = dial(first.hostname, first.port);
    let modules: [typeof ConnectModule, typeof ErrorsModule, typeof ExecModule, typeof HeldShellModule];
    try {
      await dialed.sent; // the connect leaves before ssh2's module code runs (see Dialed.sent)
      modules = await Promise.all([import('./ssh-connect.js'), import('./ssh-errors.js'), import('./ssh-exec.js'), import('./held-shell.js')]);
    } catch (e) {
      dialed.discard();
      throw e;
    }
    const [{ openConnection, closeConnection }, { connectionLost }, { execOnClient, remoteCommand }, { HeldShell }] = modules;
    this.modules = { execOnClient, remoteCommand, connectionLost, closeConnection, HeldShell };
    return openConnection(target, {
      connectTimeoutMs: this.options.connectTimeoutMs,
      keepaliveMs: this.options.keepaliveMs,
      forwardAgent: this.options.forwardAgent,
      acceptNewHostKeys: this.options.acceptNewHostKeys ?? false,
      ...(this.options.knownHostsFiles ? { knownHostsFiles: this.options.knownHostsFiles } : {}),
      ...(this.options.passphrasePrompt ? { passphrasePrompt: this.options.passphrasePrompt } : {}),
      home,
      dialed,
      onLost: (reason) => {
        if (this.closed) return; // our own close() is not a lost connection
        this.lostWith = connectionLost(target, reason);
        for (const fail of [...this.pending]) fail(this.lostWith);
        this.pending.clear();
      },
    });
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxChannels) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slots.push(resolve));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.active--;
  }
}

export function createSshTransport(host: HostSpec, options: SshTransportOptions): SshTransport {
  return new SshTransport(host, options);
}
