// What OpenSSH would use to reach a host: the ssh config (read with the `ssh-config` package)
// applied to one name, with deploy.yml's port/user on top and OpenSSH's defaults underneath.
// Pure: the config text and the local environment come in, so every rule is a table test (the
// last text's parse is kept for the next host, see `parsed`, which changes no answer).
// Reading the files (and their Include lines) is ssh-config-files.ts.
import { isAbsolute, resolve as resolvePath } from 'node:path';
import SSHConfig from 'ssh-config';
import { ShipyamlError } from '../errors/shipyaml-error.js';

export type StrictMode = 'yes' | 'accept-new';

export interface SshTarget {
  /** The name that was asked for (an alias or a host name): used in messages. */
  alias: string;
  hostname: string;
  port: number;
  user: string;
  /** Absolute paths, in the order to try; OpenSSH's defaults when nothing names a file. */
  identityFiles: string[];
  /** True when the files came from the defaults (they are tried only if they exist). */
  defaultIdentities: boolean;
  identitiesOnly: boolean;
  /** IdentityAgent: a socket path, or 'none' to not use an agent; unset: SSH_AUTH_SOCK. */
  identityAgent?: string;
  forwardAgent?: boolean;
  /** Name under which the host key is looked up and recorded (HostKeyAlias, else HostName). */
  hostKeyAlias?: string;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  /** `no`/`off`/`ask` never turn checking off: they count as `yes` (see `strictNote`). */
  strictHostKeyChecking: StrictMode;
  strictNote?: string;
  hashKnownHosts: boolean;
  serverAliveIntervalMs?: number;
  serverAliveCountMax: number;
  connectTimeoutMs?: number;
  /** The hops to pass through, in connection order (the first is reached directly). */
  jumps: SshTarget[];
}

export interface LocalEnv {
  home: string;
  user: string;
  uid: number;
  hostname: string;
}

export interface ResolveInput {
  /** An alias from the ssh config, or a host name / address. */
  host: string;
  /** deploy.yml overrides (they win over the ssh config, like `ssh -p` / `-l`). */
  port?: number;
  user?: string;
  /** deploy.yml's ssh.identity_file: tried before the config's IdentityFile entries. */
  identityFile?: string;
  /** The config text, Includes already expanded (empty string: no config). */
  configText: string;
  env: LocalEnv;
}

const MAX_HOPS = 10; // OpenSSH has no limit, but a loop of aliases must end somewhere

export function resolveSshTarget(input: ResolveInput): SshTarget {
  return resolveOne(parsed(input.configText), input, undefined, 0);
}

/**
 * The last text's parse, kept: every host of a command resolves against the same config text,
 * and parsing it per host was most of the package's time (20 hosts: ~20 ms of CPU, against ~5 ms
 * for one parse). compute() leaves the parse as it was, so it can be shared.
 */
let lastParse: { text: string; config: SSHConfig } | undefined;
function parsed(text: string): SSHConfig {
  if (lastParse?.text !== text) lastParse = { text, config: SSHConfig.parse(text) };
  return lastParse.config;
}

function resolveOne(config: SSHConfig, input: ResolveInput, jumpsOverride: SshTarget[] | undefined, depth: number): SshTarget {
  if (depth > MAX_HOPS) {
    throw new ShipyamlError('E_CONNECT', `${input.host}: ProxyJump chain longer than ${MAX_HOPS} hops (a loop in the ssh config?)`, {
      host: input.host,
      exit: 4,
    });
  }
  // matchExec off: reading a config must not run commands (`Match exec` lines never match).
  const c = config.compute(
    { Host: input.host, ...(input.user !== undefined ? { User: input.user } : {}) },
    { ignoreCase: true, matchExec: false },
  );
  const str = (k: string): string | undefined => {
    const v = c[k];
    return Array.isArray(v) ? v.join(' ') : v;
  };
  const list = (k: string): string[] | undefined => {
    const v = c[k];
    if (v === undefined) return undefined;
    return (Array.isArray(v) ? v : v.split(/\s+/)).filter((s) => s !== '');
  };

  const hostname = expandHostname(str('hostname') ?? input.host, input.host);
  const port = input.port ?? parsePort(str('port'), input.host) ?? 22;
  const user = input.user ?? str('user') ?? input.env.user;
  const tokens = (s: string) => expandPath(s, { env: input.env, remoteHost: hostname, port, user, alias: input.host });

  const configured = [...(input.identityFile ? [input.identityFile] : []), ...(list('identityfile') ?? [])].filter(
    (f) => f.toLowerCase() !== 'none',
  );
  const defaultIdentities = configured.length === 0;
  const identityFiles = (defaultIdentities ? ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'] : configured).map(tokens);

  const strictRaw = (str('stricthostkeychecking') ?? 'ask').toLowerCase();
  const strict: StrictMode = strictRaw === 'accept-new' ? 'accept-new' : 'yes';
  const strictNote =
    strictRaw === 'no' || strictRaw === 'off'
      ? `StrictHostKeyChecking ${strictRaw} in the ssh config is ignored: shipyaml always verifies host keys`
      : undefined;

  const target: SshTarget = {
    alias: input.host,
    hostname,
    port,
    user,
    identityFiles: dedupe(identityFiles),
    defaultIdentities,
    identitiesOnly: yes(str('identitiesonly')),
    ...optional('identityAgent', identityAgent(str('identityagent'), tokens)),
    ...optional('forwardAgent', str('forwardagent') === undefined ? undefined : yes(str('forwardagent'))),
    ...optional('hostKeyAlias', str('hostkeyalias')),
    userKnownHostsFiles: (list('userknownhostsfile') ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map(tokens),
    globalKnownHostsFiles: (list('globalknownhostsfile') ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']).map(tokens),
    strictHostKeyChecking: strict,
    ...optional('strictNote', strictNote),
    hashKnownHosts: yes(str('hashknownhosts')),
    ...optional('serverAliveIntervalMs', seconds(str('serveraliveinterval'), 'ServerAliveInterval', input.host)),
    serverAliveCountMax: Number(str('serveralivecountmax') ?? 3) || 3,
    ...optional('connectTimeoutMs', seconds(str('connecttimeout'), 'ConnectTimeout', input.host)),
    jumps: [],
  };

  if (str('proxycommand') !== undefined && (str('proxycommand') ?? '').toLowerCase() !== 'none' && !str('proxyjump')) {
    throw new ShipyamlError('E_CONNECT', `${input.host}: ProxyCommand in the ssh config is not supported`, {
      host: input.host,
      exit: 4,
      hint: 'Use ProxyJump for jump hosts (shipyaml connects through them itself), or connect without the proxy.',
    });
  }

  if (jumpsOverride !== undefined) {
    target.jumps = jumpsOverride;
  } else {
    const pj = str('proxyjump');
    if (pj !== undefined && pj.toLowerCase() !== 'none') target.jumps = resolveChain(config, input, pj, depth);
  }
  return target;
}

/**
 * `ProxyJump a,b` reaches b through a and the target through b. The first hop itself follows
 * its own ProxyJump from the config (as `ssh -J` does); later hops are reached through the
 * earlier ones. Returns the flattened route in connection order.
 */
function resolveChain(config: SSHConfig, input: ResolveInput, value: string, depth: number): SshTarget[] {
  const specs = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  let route: SshTarget[] = [];
  for (const [i, spec] of specs.entries()) {
    const hop = parseJumpSpec(spec, input.host);
    const resolved = resolveOne(
      config,
      { ...input, host: hop.host, port: hop.port, user: hop.user },
      i === 0 ? undefined : route,
      depth + 1,
    );
    // For the first hop, resolved.jumps is its own ProxyJump; for later ones it is `route`.
    route = [...resolved.jumps, { ...resolved, jumps: [] }];
    if (route.length > MAX_HOPS) {
      throw new ShipyamlError('E_CONNECT', `${input.host}: ProxyJump chain longer than ${MAX_HOPS} hops`, { host: input.host, exit: 4 });
    }
  }
  return route;
}

/** `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. */
export function parseJumpSpec(spec: string, forHost: string): { host: string; port?: number; user?: string } {
  let s = spec.startsWith('ssh://') ? spec.slice(6).replace(/\/$/, '') : spec;
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let host = s;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
  } else if (s.split(':').length === 2) {
    [host, portText] = s.split(':') as [string, string];
  }
  if (host === '' || (user !== undefined && user === '')) {
    throw new ShipyamlError('E_CONNECT', `${forHost}: invalid ProxyJump entry "${spec}"`, { host: forHost, exit: 4 });
  }
  const port = parsePort(portText, forHost);
  return { host, ...(port !== undefined ? { port } : {}), ...(user !== undefined ? { user } : {}) };
}

function parsePort(text: string | undefined, host: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ShipyamlError('E_CONNECT', `${host}: invalid port "${text}" in the ssh config`, { host, exit: 4 });
  }
  return n;
}

function seconds(text: string | undefined, name: string, host: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    throw new ShipyamlError('E_CONNECT', `${host}: invalid ${name} "${text}" in the ssh config (seconds expected)`, { host, exit: 4 });
  }
  return n === 0 ? undefined : n * 1000; // 0 means "off" / "system default" in OpenSSH
}

/** HostName may contain %h (the name asked for) and %%. */
function expandHostname(value: string, asked: string): string {
  return value.replace(/%(.)/g, (m, ch: string) => (ch === 'h' ? asked : ch === '%' ? '%' : m));
}

export interface TokenContext {
  env: LocalEnv;
  /** Remote host name (after HostName), port and user, and the alias that was asked for. */
  remoteHost: string;
  port: number;
  user: string;
  alias: string;
}

/**
 * `~` and the cheap OpenSSH tokens of ssh_config(5) "TOKENS": %% %d %h %i %l %n %p %r %u.
 * Others are left as written (the file will then simply not be found). Relative paths are
 * taken from the current directory, as ssh does.
 */
export function expandPath(value: string, ctx: TokenContext): string {
  const table: Record<string, string> = {
    '%': '%',
    d: ctx.env.home,
    h: ctx.remoteHost,
    i: String(ctx.env.uid),
    l: ctx.env.hostname,
    n: ctx.alias,
    p: String(ctx.port),
    r: ctx.user,
    u: ctx.env.user,
  };
  let v = value.replace(/%(.)/g, (m, ch: string) => table[ch] ?? m);
  if (v === '~') v = ctx.env.home;
  else if (v.startsWith('~/')) v = `${ctx.env.home}${v.slice(1)}`;
  return isAbsolute(v) ? v : resolvePath(v);
}

/** 'none' and SSH_AUTH_SOCK are keywords, anything else a socket path. */
function identityAgent(value: string | undefined, tokens: (s: string) => string): string | undefined {
  if (value === undefined) return undefined;
  if (value.toLowerCase() === 'none') return 'none';
  if (/^\$?SSH_AUTH_SOCK$/.test(value)) return 'SSH_AUTH_SOCK';
  return tokens(value);
}

const yes = (v: string | undefined) => v !== undefined && ['yes', 'true'].includes(v.toLowerCase());
const dedupe = (xs: string[]) => [...new Set(xs)];
function optional<K extends string, V>(key: K, value: V | undefined | '' | false): Partial<Record<K, V>> {
  return value === undefined || value === '' || value === false ? {} : ({ [key]: value } as Record<K, V>);
}
