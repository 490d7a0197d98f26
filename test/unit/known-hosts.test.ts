// known_hosts parsing and matching, with vectors made by OpenSSH's own ssh-keygen (-l, -H) so
// "compatible" means byte-for-byte the same answers.
import { describe, expect, test } from 'vitest';
import {
  checkHostKey,
  fingerprint,
  hashHostName,
  hostsFieldMatches,
  keyTypeOf,
  knownHostName,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/transport/known-hosts.js';

// `ssh-keygen -t ed25519` / `-t ecdsa`, and what `ssh-keygen -lf` printed for them.
const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIKtov+7wyAMrZurVvU1+O+eCgEW1+oaqHGVseprLnFW+';
const ED_FP = 'SHA256:F0RLBn8vVJ/1rk47JaL20HWVaCDZEevNEQnX3nFvHwI';
const EC =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBH3lAullX7634LmQS3sFey1prSDWyvwwuYixUMG0N0vdsWuY6RRAxbn5EhK3/4+S29iZORFsqOjoXvYEyvFOHRY=';
const EC_FP = 'SHA256:etsao/IoqtZxDgX6bo7IzVi1SFguvSq4X1qTphuboOg';
// Another ed25519 key: "the server's key changed".
const ED2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIJh9naPMOw8/3EQ+Q7HqutNtcBq5nBQRhh5NGjvZxVWG';
// `ssh-keygen -H` of "[127.0.0.1]:2222 ssh-ed25519 ED".
const HASHED_2222 = '|1|lURkg2eYSoz2va55iqzwMhajHuk=|GyFDQEqZhQMZxV8C9xtzwR8fovk=';

const key = (b64: string) => Buffer.from(b64, 'base64');

describe('fingerprints and key types', () => {
  test.each([
    [ED, 'ssh-ed25519', ED_FP],
    [EC, 'ecdsa-sha2-nistp256', EC_FP],
  ])('%#: type and SHA256 fingerprint as ssh-keygen -l prints them', (b64, type, fp) => {
    expect(keyTypeOf(key(b64))).toBe(type);
    expect(fingerprint(key(b64))).toBe(fp);
  });

  test('a truncated blob has no type', () => {
    expect(keyTypeOf(Buffer.from([0, 0, 0]))).toBe('unknown');
    expect(keyTypeOf(Buffer.from([0, 0, 1, 0, 65]))).toBe('unknown');
  });
});

describe('host names', () => {
  test.each([
    ['web1.example.com', 22, 'web1.example.com'],
    ['127.0.0.1', 2222, '[127.0.0.1]:2222'],
    ['::1', 2222, '[::1]:2222'],
  ])('%s port %i is recorded as %s', (host, port, name) => expect(knownHostName(host, port)).toBe(name));

  test.each([
    ['web1,web2', 'web2', true],
    ['web1,web2', 'web3', false],
    ['WEB1', 'web1', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com,!bad.example.com', 'bad.example.com', false],
    ['!bad.example.com,*.example.com', 'good.example.com', true],
    ['web?', 'web1', true],
    ['web?', 'web10', false],
    ['a.b', 'axb', false], // a dot is a dot, not a regex wildcard
    ['[127.0.0.1]:2222', '[127.0.0.1]:2222', true],
    ['127.0.0.1', '[127.0.0.1]:2222', false],
    ['[127.0.0.1]:2222', '127.0.0.1', false],
    ['[127.0.0.1]:*', '[127.0.0.1]:2222', true],
    [HASHED_2222, '[127.0.0.1]:2222', true],
    [HASHED_2222, '[127.0.0.1]:2223', false],
    [HASHED_2222, '127.0.0.1', false],
    ['|1|bad', '127.0.0.1', false],
  ])('%s matches %s: %s', (field, name, expected) => expect(hostsFieldMatches(field, name)).toBe(expected));

  test('hashHostName produces what hostsFieldMatches (and ssh-keygen -F) accepts', () => {
    const hashed = hashHostName('[10.0.0.5]:2200');
    expect(hashed).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}=$/);
    expect(hostsFieldMatches(hashed, '[10.0.0.5]:2200')).toBe(true);
    expect(hostsFieldMatches(hashed, '10.0.0.5')).toBe(false);
    const salt = Buffer.from('lURkg2eYSoz2va55iqzwMhajHuk=', 'base64');
    expect(hashHostName('[127.0.0.1]:2222', salt)).toBe(HASHED_2222);
  });
});

describe('parseKnownHosts', () => {
  const text = [
    '# comment',
    '',
    `web1,10.0.0.1 ssh-ed25519 ${ED} a comment`,
    `   [127.0.0.1]:2222 ecdsa-sha2-nistp256 ${EC}`,
    `@revoked * ssh-ed25519 ${ED2}`,
    `@cert-authority *.example.com ssh-ed25519 ${ED}`,
    `@unknown-marker web9 ssh-ed25519 ${ED}`,
    'web2 ssh-ed25519', // no key: skipped
    `web3 ssh-ed25519 not*base64`,
    `${HASHED_2222} ssh-ed25519 ${ED}`,
  ].join('\r\n');

  test('keeps the valid lines with markers and their line numbers', () => {
    expect(parseKnownHosts(text, '/k')).toEqual([
      { hosts: 'web1,10.0.0.1', keyType: 'ssh-ed25519', keyBase64: ED, source: '/k:3' },
      { hosts: '[127.0.0.1]:2222', keyType: 'ecdsa-sha2-nistp256', keyBase64: EC, source: '/k:4' },
      { marker: 'revoked', hosts: '*', keyType: 'ssh-ed25519', keyBase64: ED2, source: '/k:5' },
      { marker: 'cert-authority', hosts: '*.example.com', keyType: 'ssh-ed25519', keyBase64: ED, source: '/k:6' },
      { hosts: HASHED_2222, keyType: 'ssh-ed25519', keyBase64: ED, source: '/k:10' },
    ]);
  });
});

describe('checkHostKey', () => {
  const entries = parseKnownHosts(
    [
      `web1,10.0.0.1 ssh-ed25519 ${ED}`,
      `web2 ecdsa-sha2-nistp256 ${EC}`,
      `${HASHED_2222} ssh-ed25519 ${ED}`,
      `@cert-authority *.example.com ssh-ed25519 ${ED2}`,
      `@revoked old ssh-ed25519 ${ED2}`,
      `old ssh-ed25519 ${ED2}`,
    ].join('\n'),
    '/k',
  );

  test.each([
    ['web1', ED, 'known'],
    ['10.0.0.1', ED, 'known'],
    ['[127.0.0.1]:2222', ED, 'known'],
    ['web1', ED2, 'changed'],
    ['[127.0.0.1]:2222', ED2, 'changed'],
    ['web3', ED, 'unknown'],
    ['db.example.com', ED2, 'unknown'], // a CA line is not a host key
    ['old', ED2, 'revoked'], // revoked wins even though the same key is also listed
    ['anything', ED2, 'unknown'], // revoked only for the hosts its pattern names
  ])('%s presenting %s…: %s', (name, b64, kind) => {
    expect(checkHostKey(entries, [name], key(b64)).kind).toBe(kind);
  });

  test('"@revoked *" revokes a key for every host', () => {
    const all = parseKnownHosts(`web1 ssh-ed25519 ${ED}\n@revoked * ssh-ed25519 ${ED}`);
    expect(checkHostKey(all, ['web1'], key(ED)).kind).toBe('revoked');
    expect(checkHostKey(all, ['elsewhere'], key(ED)).kind).toBe('revoked');
  });

  test('a changed key reports the entries it differs from', () => {
    const v = checkHostKey(entries, ['web1'], key(ED2));
    expect(v.kind === 'changed' && v.expected.map((e) => e.source)).toEqual(['/k:1']);
  });

  test('a key of a type not on file is unknown, with the other types listed', () => {
    const v = checkHostKey(entries, ['web2'], key(ED));
    expect(v.kind === 'unknown' && v.otherTypes.map((e) => e.keyType)).toEqual(['ecdsa-sha2-nistp256']);
  });

  test('known key types are offered first in the key exchange', () => {
    expect(knownKeyTypes(entries, ['web2'])).toEqual(['ecdsa-sha2-nistp256']);
    expect(knownKeyTypes(entries, ['[127.0.0.1]:2222'])).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes(entries, ['nowhere'])).toEqual([]);
  });
});

describe('knownHostsLine', () => {
  test('plain and hashed lines read back as known', () => {
    const plain = knownHostsLine('[127.0.0.1]:2222', key(ED));
    expect(plain).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${ED}`);
    const hashed = knownHostsLine('[127.0.0.1]:2222', key(ED), true);
    expect(hashed).toMatch(/^\|1\|/);
    for (const line of [plain, hashed]) {
      expect(checkHostKey(parseKnownHosts(line), ['[127.0.0.1]:2222'], key(ED)).kind).toBe('known');
    }
  });
});
