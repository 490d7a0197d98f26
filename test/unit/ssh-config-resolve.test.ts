// How a host name becomes a connection target: the ssh config as OpenSSH applies it, deploy.yml
// on top, OpenSSH's defaults underneath, ProxyJump routes, and what is never honoured.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { loadSshConfigText } from '../../src/transport/ssh-config-files.js';
import { parseJumpSpec, resolveSshTarget, type ResolveInput, type SshTarget } from '../../src/transport/ssh-config-resolve.js';

const env = { home: '/home/me', user: 'me', uid: 1000, hostname: 'laptop' };
const resolve = (host: string, configText: string, extra: Partial<ResolveInput> = {}): SshTarget =>
  resolveSshTarget({ host, configText, env, ...extra });
const fails = (f: () => unknown): ShipyamlError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ShipyamlError) return e;
    throw e;
  }
  throw new Error('expected a ShipyamlError');
};

const CONFIG = `
Host web1
  HostName 10.0.0.1
  Port 2201
  User deploy
  IdentityFile ~/.ssh/web_key
  IdentitiesOnly yes

Host *.prod
  User ops
  ProxyJump bastion

Host bastion
  HostName bastion.example.com
  User jumper
  Port 2022

Host inner
  ProxyJump outer

Host outer
  HostName outer.example.com

Host chain
  HostName 10.9.9.9
  ProxyJump outer,bastion

Host loop-a
  ProxyJump loop-b
Host loop-b
  ProxyJump loop-a

Host tokens
  HostName %h.internal
  IdentityFile %d/keys/%r@%h:%p-%u-%n-%l-%i-%%
  UserKnownHostsFile ~/.ssh/kh1 /etc/kh2
  GlobalKnownHostsFile /etc/global_kh

Host caps
  hOsTnAmE 10.1.1.1
  PORT 2222

Host lax
  StrictHostKeyChecking no
Host newkeys
  StrictHostKeyChecking accept-new
Host alive
  ServerAliveInterval 30
  ServerAliveCountMax 5
  ConnectTimeout 7
  HostKeyAlias alive-alias
  HashKnownHosts yes
  ForwardAgent yes
  IdentityAgent ~/agent.sock
Host badport
  Port 22x
Host viaproxy
  ProxyCommand nc %h %p
Host noagent
  IdentityAgent none

Match host 10.0.0.*
  ServerAliveInterval 11

Host *
  User fallback
  IdentityFile ~/.ssh/common
`;

describe('defaults without an ssh config', () => {
  test('port 22, the local user, the OpenSSH default keys and known_hosts files', () => {
    expect(resolve('example.com', '')).toEqual({
      alias: 'example.com',
      hostname: 'example.com',
      port: 22,
      user: 'me',
      identityFiles: ['/home/me/.ssh/id_ed25519', '/home/me/.ssh/id_ecdsa', '/home/me/.ssh/id_rsa'],
      defaultIdentities: true,
      identitiesOnly: false,
      userKnownHostsFiles: ['/home/me/.ssh/known_hosts', '/home/me/.ssh/known_hosts2'],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      strictHostKeyChecking: 'yes',
      hashKnownHosts: false,
      serverAliveCountMax: 3,
      jumps: [],
    });
  });
});

describe('Host blocks', () => {
  test('an alias gives HostName, Port, User, IdentityFile (then the catch-all one), IdentitiesOnly', () => {
    expect(resolve('web1', CONFIG)).toMatchObject({
      alias: 'web1',
      hostname: '10.0.0.1',
      port: 2201,
      user: 'deploy',
      identityFiles: ['/home/me/.ssh/web_key', '/home/me/.ssh/common'],
      defaultIdentities: false,
      identitiesOnly: true,
    });
  });

  test.each([
    ['api.prod', { user: 'ops' }],
    ['somewhere', { user: 'fallback', hostname: 'somewhere' }],
    ['caps', { hostname: '10.1.1.1', port: 2222 }], // directives are case-insensitive
  ])('%s → %o', (host, want) => expect(resolve(host, CONFIG)).toMatchObject(want));

  test('Match host applies to the HostName', () => {
    expect(resolve('web1', CONFIG).serverAliveIntervalMs).toBe(11_000);
    expect(resolve('bastion', CONFIG).serverAliveIntervalMs).toBeUndefined();
  });

  test("deploy.yml's port, user and identity file win over the config", () => {
    expect(resolve('web1', CONFIG, { port: 2299, user: 'root', identityFile: '/keys/ci' })).toMatchObject({
      hostname: '10.0.0.1',
      port: 2299,
      user: 'root',
      identityFiles: ['/keys/ci', '/home/me/.ssh/web_key', '/home/me/.ssh/common'],
    });
  });

  test('tokens and ~ in paths; %h in HostName', () => {
    expect(resolve('tokens', CONFIG)).toMatchObject({
      hostname: 'tokens.internal',
      identityFiles: ['/home/me/keys/fallback@tokens.internal:22-me-tokens-laptop-1000-%', '/home/me/.ssh/common'],
      userKnownHostsFiles: ['/home/me/.ssh/kh1', '/etc/kh2'],
      globalKnownHostsFiles: ['/etc/global_kh'],
    });
  });

  test('timeouts, keepalive, HostKeyAlias, HashKnownHosts, ForwardAgent, IdentityAgent', () => {
    expect(resolve('alive', CONFIG)).toMatchObject({
      serverAliveIntervalMs: 30_000,
      serverAliveCountMax: 5,
      connectTimeoutMs: 7_000,
      hostKeyAlias: 'alive-alias',
      hashKnownHosts: true,
      forwardAgent: true,
      identityAgent: '/home/me/agent.sock',
    });
    expect(resolve('noagent', CONFIG).identityAgent).toBe('none');
  });

  test('hosts resolved one after another against one text each get their own block; a new text is read anew', () => {
    // The parse of the last text is kept (one parse per command, not per host): it must never
    // answer for another text, nor carry one host's values into the next.
    expect([resolve('web1', CONFIG).port, resolve('bastion', CONFIG).port, resolve('web1', CONFIG).port]).toEqual([2201, 2022, 2201]);
    expect(resolve('api.prod', CONFIG).user).toBe('ops');
    expect(resolve('web1', CONFIG).jumps).toEqual([]);
    const edited = CONFIG.replace('Port 2201', 'Port 2299');
    expect(resolve('web1', edited).port).toBe(2299);
    expect(resolve('web1', CONFIG).port).toBe(2201);
    expect(resolve('web1', '').port).toBe(22);
  });

  test('a bad port is an error naming the host', () => {
    expect(fails(() => resolve('badport', CONFIG)).message).toBe('badport: invalid port "22x" in the ssh config');
  });

  test('Match exec is never run while reading the config', async () => {
    const marker = join(tmpdir(), `shipyaml-match-exec-${process.pid}`);
    const r = resolve('x', `Match exec "touch ${marker}"\n  User executed\n`);
    expect(r.user).toBe('me');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('host key checking can only get stricter', () => {
  test.each([
    ['somewhere', 'yes', undefined],
    ['newkeys', 'accept-new', undefined],
    ['lax', 'yes', 'StrictHostKeyChecking no in the ssh config is ignored: shipyaml always verifies host keys'],
  ])('%s: %s', (host, mode, note) => {
    const t = resolve(host, CONFIG);
    expect(t.strictHostKeyChecking).toBe(mode);
    expect(t.strictNote).toBe(note);
  });

  test('ProxyCommand is refused rather than silently bypassed', () => {
    const e = fails(() => resolve('viaproxy', CONFIG));
    expect(e.code).toBe('E_CONNECT');
    expect(e.message).toContain('ProxyCommand');
    expect(e.hint).toContain('ProxyJump');
  });
});

describe('ProxyJump', () => {
  const route = (host: string) => resolve(host, CONFIG).jumps.map((j) => `${j.user}@${j.hostname}:${j.port}`);

  test.each([
    ['api.prod', ['jumper@bastion.example.com:2022']],
    ['inner', ['fallback@outer.example.com:22']],
    ['chain', ['fallback@outer.example.com:22', 'jumper@bastion.example.com:2022']],
    ['web1', []],
  ])('%s goes through %o', (host, hops) => expect(route(host)).toEqual(hops));

  test("the first hop follows its own ProxyJump; a hop's details come from its own Host block", () => {
    const t = resolve('x', `${CONFIG}\nHost x\n  ProxyJump admin@inner:2200\n`.replace('Host *\n', 'Host nothing\n'));
    expect(t.jumps.map((j) => [j.alias, j.user, j.hostname, j.port])).toEqual([
      ['outer', 'me', 'outer.example.com', 22],
      ['inner', 'admin', 'inner', 2200],
    ]);
  });

  test('ProxyJump none and a loop of aliases', () => {
    expect(resolve('api.prod', `Host api.prod\n  ProxyJump none\n${CONFIG}`).jumps).toEqual([]);
    expect(fails(() => resolve('loop-a', CONFIG)).message).toContain('ProxyJump chain longer than 10 hops');
  });

  test.each([
    ['bastion', { host: 'bastion' }],
    ['ops@bastion', { host: 'bastion', user: 'ops' }],
    ['ops@bastion:2200', { host: 'bastion', user: 'ops', port: 2200 }],
    ['ssh://ops@bastion:2200', { host: 'bastion', user: 'ops', port: 2200 }],
    ['[2001:db8::1]:2200', { host: '2001:db8::1', port: 2200 }],
    ['2001:db8::1', { host: '2001:db8::1' }],
    ['me@x.example@bastion', { host: 'bastion', user: 'me@x.example' }],
  ])('jump spec %s', (text, want) => expect(parseJumpSpec(text, 'h')).toEqual(want));

  test.each(['', '@bastion', 'bastion:0', 'bastion:99999'])('invalid jump spec "%s"', (text) => {
    expect(() => parseJumpSpec(text, 'h')).toThrow(ShipyamlError);
  });
});

describe('reading the files', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'shipyaml-sshcfg-'));
    await mkdir(join(home, '.ssh', 'config.d'), { recursive: true });
    await writeFile(join(home, '.ssh', 'config.d', '10-web'), 'Host web\n  HostName 10.0.0.7\n');
    await writeFile(join(home, '.ssh', 'config.d', '20-db'), 'Host db\n  HostName 10.0.0.8\n');
    await writeFile(join(home, '.ssh', 'port'), 'Port 2200\n');
    await writeFile(
      join(home, '.ssh', 'config'),
      'Include config.d/*\n\nHost web\n  Include ~/.ssh/port\n  User www\n\nHost *\n  User fallback\n',
    );
    await writeFile(join(home, 'ci_config'), 'Include config.d/20-db\nHost ci\n  HostName 10.0.0.9\n');
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('~/.ssh/config with Include globs (relative to ~/.ssh) and an Include inside a Host block', async () => {
    const text = await loadSshConfigText({ home });
    expect(resolve('web', text)).toMatchObject({ hostname: '10.0.0.7', port: 2200, user: 'www' });
    expect(resolve('db', text)).toMatchObject({ hostname: '10.0.0.8', port: 22, user: 'fallback' });
  });

  test('ssh.config_file replaces ~/.ssh/config (like ssh -F)', async () => {
    const text = await loadSshConfigText({ home, configFile: join(home, 'ci_config') });
    expect(resolve('ci', text).hostname).toBe('10.0.0.9');
    expect(resolve('db', text).hostname).toBe('10.0.0.8');
    expect(resolve('web', text).hostname).toBe('web');
  });

  test('a missing ssh.config_file is a config error', async () => {
    await expect(loadSshConfigText({ home, configFile: join(home, 'nope') })).rejects.toMatchObject({ code: 'E_CONFIG' });
  });
});
