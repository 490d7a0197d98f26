// Key material and client-side files for the fleet: generated with ssh-keygen so they are
// exactly what OpenSSH users have, never hand-written key blobs.
import { readFile } from 'node:fs/promises';
import { runOk } from './proc.js';

export interface KeyPair {
  /** Private key path (OpenSSH format, no passphrase unless one was given). */
  path: string;
  /** The public key line: "ssh-ed25519 AAAA… comment". */
  pub: string;
}

export async function generateKey(path: string, comment: string, passphrase = ''): Promise<KeyPair> {
  await runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', path]);
  return { path, pub: (await readFile(`${path}.pub`, 'utf8')).trim() };
}

/** "host" for port 22, "[host]:port" otherwise: the form OpenSSH writes and looks up. */
export function knownHostsName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

/** One known_hosts line: the name, then the key type and blob (the comment is dropped). */
export function knownHostsLine(hostname: string, port: number, pub: string): string {
  const [type, blob] = pub.split(/\s+/);
  return `${knownHostsName(hostname, port)} ${type} ${blob}`;
}

export interface ConfigEntry {
  alias: string;
  hostname: string;
  port: number;
  proxyJump?: string;
}

/**
 * An ssh config that both OpenSSH (`ssh -F FILE web1`) and shipyaml's transport read. Strict
 * host key checking against the fleet's own known_hosts only, so a test never consults (or
 * writes to) the real ~/.ssh.
 */
export function sshConfigText(
  entries: readonly ConfigEntry[],
  common: { user: string; identityFile: string; knownHosts: string },
): string {
  const blocks = entries.map((e) =>
    [
      `Host ${e.alias}`,
      `  HostName ${e.hostname}`,
      `  Port ${e.port}`,
      ...(e.proxyJump ? [`  ProxyJump ${e.proxyJump}`] : []),
    ].join('\n'),
  );
  const all = entries.map((e) => e.alias).join(' ');
  blocks.push(
    [
      `Host ${all}`,
      `  User ${common.user}`,
      `  IdentityFile ${common.identityFile}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${common.knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  LogLevel ERROR',
    ].join('\n'),
  );
  return `${blocks.join('\n\n')}\n`;
}
