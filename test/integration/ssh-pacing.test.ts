// The upload writer that keeps only part of the window unacknowledged (src/transport/ssh-pacing.ts),
// on a real ssh2 channel to a real OpenSSH sshd: every byte arrives, the cap holds, a cap below
// what the server needs before it acknowledges does not stall the upload, and a command that
// stops reading does not hang it.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pacedChannel, uploadCap, type PacingStats } from '../../src/transport/ssh-pacing.js';
import { startHosts, type Fleet } from '../harness/sshd.js';

let fleet: Fleet;
let client: Client;

beforeAll(async () => {
  fleet = await startHosts(1);
  const host = fleet.hosts[0]!;
  const hostKey = Buffer.from(host.hostKeyPub.split(' ')[1]!, 'base64');
  client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({
      host: '127.0.0.1',
      port: host.port,
      username: fleet.user,
      privateKey: readFileSync(fleet.clientKey),
      hostVerifier: (key: Buffer) => key.equals(hostKey),
    });
  });
}, 60_000);

afterAll(async () => {
  client?.end();
  await fleet?.stop();
}, 30_000);

function exec(cmd: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.exec(cmd, (e, ch) => (e ? reject(e) : resolve(ch))));
}

/** Writes `data` in 256 KiB chunks through the paced writer, each after the previous was taken. */
async function upload(cmd: string, data: Buffer, cap?: number): Promise<{ stats?: PacingStats; code: number | null; wrote: number }> {
  const ch = await exec(cmd);
  ch.resume();
  ch.stderr.resume();
  const closed = once(ch, 'close');
  let code: number | null = null;
  ch.on('exit', (c: number | null) => (code = c));
  let stats: PacingStats | undefined;
  const dest = pacedChannel(ch, { ...(cap !== undefined ? { cap } : { rttMs: 0.1 }), onStats: (s) => (stats = s) });
  expect(dest).not.toBe(ch); // ssh2's channel state is what the writer expects
  let wrote = 0;
  for (let at = 0; at < data.length && !dest.destroyed; at += 256 * 1024) {
    const chunk = data.subarray(at, at + 256 * 1024);
    const ok = await new Promise<boolean>((resolve) => dest.write(chunk, (e) => resolve(!e)));
    if (!ok) break;
    wrote += chunk.length;
  }
  if (!dest.destroyed) dest.end();
  await closed;
  return { stats, code, wrote };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('uploadCap', () => {
  test('256 KiB on a fast link, more with latency, no cap from the whole window on or when the latency is unknown', () => {
    const window = 2 * 1024 * 1024;
    expect(uploadCap(0.2, 32768, window)).toBe(256 * 1024);
    expect(uploadCap(2, 32768, window)).toBe(256 * 1024);
    expect(uploadCap(4, 32768, window)).toBe(512 * 1024);
    expect(uploadCap(10, 32768, window)).toBe(1280 * 1024);
    expect(uploadCap(16, 32768, window)).toBeUndefined();
    expect(uploadCap(undefined, 32768, window)).toBeUndefined();
    // Never below 8 of the server's packets: it acknowledges only past 3 unacknowledged.
    expect(uploadCap(0.2, 64 * 1024, window)).toBe(512 * 1024);
    // A small window (another server): the window alone.
    expect(uploadCap(0.2, 32768, 128 * 1024)).toBeUndefined();
  });
});

describe('pacedChannel against sshd', () => {
  test('every byte arrives, and no more than the cap is ever unacknowledged', async () => {
    const data = randomBytes(12 * 1024 * 1024);
    const r = await upload('cat > /tmp/paced.bin', data);
    expect(r.code).toBe(0);
    expect(r.stats).toBeDefined();
    const s = r.stats!;
    expect(s.raised).toBe(0);
    expect(s.cap).toBe(256 * 1024);
    expect(s.maxInFlight).toBeGreaterThan(0);
    expect(s.maxInFlight).toBeLessThanOrEqual(s.cap);
    // OpenSSH acknowledges with ~3 packets unacknowledged: well under the cap.
    expect(s.ackedAt).toBeDefined();
    expect(s.ackedAt!).toBeLessThan(s.cap);
    const got = await readFile(`${fleet.hosts[0]!.tmp}/paced.bin`);
    expect(got.length).toBe(data.length);
    expect(md5(got)).toBe(md5(data));
  }, 60_000);

  test('a cap below what sshd needs before it acknowledges is raised, and the upload completes', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    // 64 KiB: sshd acknowledges only once more than 3 packets (96 KiB) are outstanding.
    const r = await upload('cat > /tmp/stalled.bin', data, 64 * 1024);
    expect(r.code).toBe(0);
    expect(r.stats!.raised).toBeGreaterThanOrEqual(1);
    const got = await readFile(`${fleet.hosts[0]!.tmp}/stalled.bin`);
    expect(md5(got)).toBe(md5(data));
  }, 60_000);

  test('a command that stops reading ends the upload instead of hanging it', async () => {
    const data = randomBytes(32 * 1024 * 1024);
    const started = Date.now();
    const r = await upload('head -c 1000 > /dev/null', data);
    expect(r.code).toBe(0);
    expect(r.wrote).toBeLessThan(data.length);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
