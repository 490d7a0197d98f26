// `rollback --to ID` on 3 real sshd hosts checks ID on every host before switching any: missing
// on one host, or failed on one host, and nothing moves anywhere (exit 1, the host named).
import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';
import { runCli } from '../support/cli.js';
import { makeFleetApp } from '../support/fleet-app.js';
import { liveLink } from '../support/release-check.js';
import { snapshotTree } from '../support/tree.js';

let fleet: Fleet;
let dir: string;
beforeAll(async () => {
  fleet = await startHosts(3);
  ({ dir } = makeFleetApp(fleet));
}, 60_000);
afterAll(() => fleet?.stop(), 30_000);

const root = (h: SshdHost) => join(h.root, 'app');
const lives = () => fleet.hosts.map((h) => liveLink(root(h)));
const trees = () => fleet.hosts.map((h) => {
  const t = snapshotTree(root(h));
  delete t['.shipyaml/log.jsonl']; // a refused rollback may log nothing, but the log is not what is checked
  return t;
});

async function cli(...args: string[]) {
  return runCli(args, { cwd: dir });
}

describe('rollback --to on 3 sshd hosts', () => {
  it('refused (exit 1, nothing switched) when the release is missing on one host or failed on one host', async () => {
    const ids: string[] = [];
    for (const [i, args] of [['setup'], ['deploy'], ['deploy'], ['deploy']].entries()) {
      writeFileSync(join(dir, 'build/index.html'), `v${i}\n`);
      const r = await cli(args[0]!, 'production');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      if (args[0] === 'deploy') ids.push(liveLink(root(fleet.hosts[0]!))!.replace('releases/', ''));
    }
    const [a, , c] = ids as [string, string, string];
    const [web1, web2, web3] = fleet.hosts as [SshdHost, SshdHost, SshdHost];

    // Missing on web2 (someone removed it by hand).
    const saved = join(dir, 'saved-release');
    cpSync(join(root(web2), 'releases', a), saved, { recursive: true });
    rmSync(join(root(web2), 'releases', a), { recursive: true });
    let before = trees();
    const missing = await cli('rollback', 'production', '--to', a);
    expect(missing.code, missing.stdout + missing.stderr).toBe(1);
    expect(missing.stderr).toContain('rollback refused: nothing was switched');
    expect(missing.stderr).toContain(`web2: release ${a} does not exist`);
    expect(missing.stderr).not.toMatch(/web1: release|web3: release/);
    expect(lives()).toEqual([`releases/${c}`, `releases/${c}`, `releases/${c}`]);
    expect(trees()).toEqual(before);
    cpSync(saved, join(root(web2), 'releases', a), { recursive: true });

    // Failed on web3 (its log says the deploy of that id failed there).
    const log3 = join(root(web3), '.shipyaml/log.jsonl');
    const original = readFileSync(log3, 'utf8');
    appendFileSync(log3, `${JSON.stringify({ action: 'deploy', id: a, status: 'failed', time: new Date().toISOString() })}\n`);
    before = trees();
    const failed = await cli('rollback', 'production', '--to', a);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stderr).toContain(`web3: release ${a} is failed, not a successful release`);
    expect(lives()).toEqual([`releases/${c}`, `releases/${c}`, `releases/${c}`]);
    expect(trees()).toEqual(before);
    writeFileSync(log3, original);

    // With the release good everywhere again, the same command switches every host.
    const good = await cli('rollback', 'production', '--to', a);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(lives()).toEqual([`releases/${a}`, `releases/${a}`, `releases/${a}`]);
    expect(readFileSync(join(root(web1), 'current/index.html'), 'utf8')).toBe('v1\n');
  }, 120_000);
});
