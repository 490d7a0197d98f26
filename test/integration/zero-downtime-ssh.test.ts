// Zero downtime over SSH: 30 deploys (a rollback among them) to a real sshd host while a reader
// on this machine reads three files through the host's `current` (a relative link, so it resolves
// inside the host's /srv seen at host.root). Every read must be a whole file of one release.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet } from '../harness/sshd.js';
import { runCli } from '../support/cli.js';
import { makeFleetApp } from '../support/fleet-app.js';
import { deploysUnderReads } from '../support/zero-downtime.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startHosts(1);
}, 60_000);
afterAll(() => fleet?.stop(), 30_000);

describe('zero downtime over SSH', () => {
  it('30 deploys with a rollback among them while a reader reads through current/: 0 failed reads', async () => {
    const { dir } = makeFleetApp(fleet, { hosts: '      - web1' });
    expect((await runCli(['setup', 'production'], { cwd: dir })).code).toBe(0);
    const r = await deploysUnderReads(dir, join(fleet.hosts[0]!.root, 'app'), 'production');
    console.log(`zero downtime (ssh): ${r.reads} reads, ${r.failures} failures, ${r.releasesSeen} releases seen`);
    expect(r.samples).toEqual([]);
    expect(r.failures).toBe(0);
    expect(r.reads).toBeGreaterThan(1000);
    expect(r.releasesSeen).toBeGreaterThan(10);
  }, 480_000);
});
