// Host key verification for one hop, always on: reads the known_hosts files, tells ssh2 which
// key types to ask for, and decides on the key the server presents. Unknown keys are refused
// (or recorded, with --accept-new-host-keys or `StrictHostKeyChecking accept-new`); a changed or
// revoked key is refused always.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import {
  checkHostKey,
  fingerprint,
  keyTypeOf,
  knownHostName,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
  type KnownHostEntry,
} from './known-hosts.js';
import type { SshTarget } from './ssh-config-resolve.js';
import { describeHop } from './ssh-errors.js';

export interface HostKeyOptions {
  /** --accept-new-host-keys: record unknown keys (never changed ones). */
  acceptNew: boolean;
  /** Replaces the configured known_hosts files (tests); the first is where new keys go. */
  files?: readonly string[];
  /** The host this hop leads to, when it is a jump host (for messages). */
  via?: SshTarget;
}

export interface HostKeyCheck {
  /** Host key algorithms to offer, known types first (as OpenSSH orders them). */
  algorithms: string[];
  /** Resolves when the key is trusted; rejects with E_HOST_KEY_UNKNOWN / E_HOST_KEY_CHANGED. */
  verify(key: Buffer): Promise<void>;
}

// Every host key algorithm ssh2 supports on Node 20, in OpenSSH's default order.
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

export async function prepareHostKeyCheck(target: SshTarget, opts: HostKeyOptions): Promise<HostKeyCheck> {
  const userFiles = opts.files ?? target.userKnownHostsFiles;
  const allFiles = opts.files ?? [...target.userKnownHostsFiles, ...target.globalKnownHostsFiles];
  const entries = (await Promise.all(allFiles.map(readEntries))).flat();
  // OpenSSH records HostKeyAlias verbatim, otherwise the host name ([host]:port off port 22).
  const name = (target.hostKeyAlias ?? knownHostName(target.hostname, target.port)).toLowerCase();
  const known = knownKeyTypes(entries, [name]);
  const preferred = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const algorithms = [...new Set([...preferred.filter((a) => HOST_KEY_ALGORITHMS.includes(a)), ...HOST_KEY_ALGORITHMS])];
  const acceptNew = opts.acceptNew || target.strictHostKeyChecking === 'accept-new';

  return {
    algorithms,
    async verify(key: Buffer): Promise<void> {
      const verdict = checkHostKey(entries, [name], key);
      const who = describeHop(target, opts.via);
      const fp = fingerprint(key);
      const kind = displayType(keyTypeOf(key));
      switch (verdict.kind) {
        case 'known':
          return;
        case 'revoked':
          throw new ShipyamlError('E_HOST_KEY_CHANGED', `${who}: the server's ${kind} key ${fp} is marked @revoked (${verdict.entry.source}); refusing to connect`, {
            host: (opts.via ?? target).alias,
          });
        case 'changed':
          throw changedError(opts.via ?? target, who, kind, fp, name, verdict.expected);
        case 'unknown': {
          if (verdict.otherTypes.length > 0) throw changedError(opts.via ?? target, who, kind, fp, name, verdict.otherTypes);
          if (!acceptNew) {
            throw new ShipyamlError('E_HOST_KEY_UNKNOWN', `${who}: host key not known; the ${kind} key fingerprint is ${fp}`, {
              host: (opts.via ?? target).alias,
              hint: 'Check the fingerprint with the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub there), then run again with --accept-new-host-keys to record it.',
              details: [
                `looked for ${name} in: ${allFiles.join(', ') || '(no files)'}`,
                ...(target.strictNote ? [target.strictNote] : []),
              ],
            });
          }
          const file = userFiles[0];
          if (file !== undefined && file !== '/dev/null') await record(file, knownHostsLine(name, key, target.hashKnownHosts));
          return;
        }
      }
    },
  };
}

function changedError(target: SshTarget, who: string, kind: string, fp: string, name: string, expected: KnownHostEntry[]): ShipyamlError {
  const was = expected.map((e) => `${displayType(e.keyType)} ${fingerprint(Buffer.from(e.keyBase64, 'base64'))} (${e.source})`);
  const file = expected[0]?.source.replace(/:\d+$/, '');
  return new ShipyamlError(
    'E_HOST_KEY_CHANGED',
    `${who}: REMOTE HOST KEY CHANGED. The server presented ${kind} ${fp}, but known_hosts has ${was.join(', ')}. Someone could be intercepting the connection, or the server was reinstalled; refusing to connect.`,
    {
      host: target.alias,
      hint: `Find out why the key changed before removing the old entry: ssh-keygen -R '${name}'${file ? ` -f ${file}` : ''}`,
    },
  );
}

async function readEntries(file: string): Promise<KnownHostEntry[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return parseKnownHosts(text, file);
}

async function record(file: string, line: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Start on a new line even if the file lacks a trailing newline.
  const existing = await readFile(file, 'utf8').catch(() => '');
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${sep}${line}\n`, { mode: 0o600 });
}

/** "ED25519", "ECDSA", "RSA": how OpenSSH names key types in its messages. */
function displayType(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  if (type === 'ssh-rsa') return 'RSA';
  return type;
}
