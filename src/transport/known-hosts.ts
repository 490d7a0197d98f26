// known_hosts as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): pure parsing and
// matching, no I/O, so every rule is testable as a table. Reading files, deciding what to do
// and writing new entries live in ssh-host-key.ts.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface KnownHostEntry {
  /** '@revoked' keys are refused even when listed; '@cert-authority' lines are kept but never
   *  match a plain host key (ssh2 does not negotiate host certificates). */
  marker?: 'revoked' | 'cert-authority';
  /** Comma-separated patterns, or one `|1|salt|hash` hashed name. */
  hosts: string;
  keyType: string;
  /** Base64 of the key in SSH wire format (what the server sends). */
  keyBase64: string;
  /** Where it came from, for messages: "file:line". */
  source: string;
}

/** Parses one file's text; malformed lines are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: OpenSSH ignores the line
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) continue;
    out.push({ ...(marker ? { marker } : {}), hosts, keyType, keyBase64, source: `${file}:${i + 1}` });
  }
  return out;
}

/** The name a host is recorded under: "host" on port 22, "[host]:port" otherwise. */
export function knownHostName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

/** Glob with * and ? over the whole string, case-insensitive like host names. */
function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(text);
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`: the form `HashKnownHosts yes` writes. */
function hashedMatch(hashed: string, name: string): boolean {
  const parts = hashed.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const want = parts[3]!;
  return createHmac('sha1', salt).update(name).digest('base64') === want;
}

export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/** Does the entry's host field name `name`? A negated pattern that matches wins over the rest. */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { kind: 'known'; entry: KnownHostEntry }
  /** Nothing recorded under this name (or only keys of other types: see `otherTypes`). */
  | { kind: 'unknown'; otherTypes: KnownHostEntry[] }
  /** A key of the same type is recorded and it is a different key. */
  | { kind: 'changed'; expected: KnownHostEntry[] }
  | { kind: 'revoked'; entry: KnownHostEntry };

/**
 * Checks the key the server presented against the entries for any of `names` (the first is the
 * one OpenSSH would record). Order of the rules follows OpenSSH: revoked first, then an exact
 * match, then a same-type mismatch (changed).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], names: readonly string[], key: Buffer): HostKeyVerdict {
  const keyType = keyTypeOf(key);
  const keyBase64 = key.toString('base64');
  const named = (e: KnownHostEntry) => names.some((n) => hostsFieldMatches(e.hosts, n));
  // `@revoked * …` (the usual form) names every host; a narrower pattern only those.
  const revoked = entries.find((e) => e.marker === 'revoked' && named(e) && sameKey(e, keyBase64));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === undefined && named(e));
  const exact = forHost.find((e) => sameKey(e, keyBase64));
  if (exact) return { kind: 'known', entry: exact };
  const sameType = forHost.filter((e) => e.keyType === keyType);
  if (sameType.length > 0) return { kind: 'changed', expected: sameType };
  return { kind: 'unknown', otherTypes: forHost };
}

function sameKey(e: KnownHostEntry, keyBase64: string): boolean {
  // Compare the decoded bytes: base64 text may differ in padding only.
  return Buffer.from(e.keyBase64, 'base64').equals(Buffer.from(keyBase64, 'base64'));
}

/** The key types recorded for these names, in file order: preferred in the key exchange. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], names: readonly string[]): string[] {
  const types: string[] = [];
  for (const e of entries) {
    if (e.marker !== undefined || !names.some((n) => hostsFieldMatches(e.hosts, n))) continue;
    if (!types.includes(e.keyType)) types.push(e.keyType);
  }
  return types;
}

/** The key type is the first string of the SSH wire format: uint32 length, then the name. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  if (len <= 0 || len > 64 || key.length < 4 + len) return 'unknown';
  return key.subarray(4, 4 + len).toString('latin1');
}

/** "SHA256:…" as OpenSSH prints it: base64 of the SHA-256 of the key blob, without padding. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** One line to append for a newly trusted key. */
export function knownHostsLine(name: string, key: Buffer, hashed = false): string {
  return `${hashed ? hashHostName(name) : name} ${keyTypeOf(key)} ${key.toString('base64')}`;
}
