// One of 3 hosts dies (its sshd and every session under it SIGKILLed) in the middle of a deploy:
// mid-transfer and mid-hook. The deploy fails naming that host and the step it was in, and the
// hosts that stayed up end exactly as before: `current` untouched, no new release, no lock.
// The dead host cannot be inspected afterwards (its mount namespace went with its sshd).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHosts, type Fleet, type SshdHost } from '../harness/sshd.js';
import { runCli, startCli } from '../support/cli.js';
import { makeFleetApp } from '../support/fleet-app.js';
import { liveLink, lockFile, releaseDirs } from '../support/release-check.js';

let fleet: Fleet | undefined;
afterEach(() => fleet?.stop(), 30_000);
const root = (h: SshdHost) => join(h.root, 'app');

async function deployedFleet(extra: string) {
  fleet = await startHosts(3);
  const { dir } = makeFleetApp(fleet, { extra });
  for (const args of [['setup', 'production'], ['deploy', 'production']]) {
    const r = await runCli(args, { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
  const f = fleet;
  const state = () => f.hosts.map((h) => ({ live: liveLink(root(h)), releases: releaseDirs(root(h)), lock: lockFile(root(h)) }));
  return { dir, fleet: f, before: state(), state };
}

describe('a host lost mid-deploy (1 of 3)', () => {
  it('sshd killed mid-transfer: exit 1 or 4 naming the host and the upload; the others untouched', async () => {
    const { dir, fleet, before, state } = await deployedFleet('');
    // 30 MB of new files: the upload takes long enough to die in the middle of it.
    for (let i = 0; i < 200; i++) {
      mkdirSync(join(dir, `build/d${i % 10}`), { recursive: true });
      writeFileSync(join(dir, `build/d${i % 10}/f${i}.bin`), randomBytes(150_000));
    }
    const web2 = fleet.host('web2');
    const run = startCli(['deploy', 'production', '--verbose'], { cwd: dir, timeoutMs: 90_000 });
    await run.waitFor(/\[web2\] upload started/, 30_000);
    let seen = 0;
    for (let i = 0; i < 1500 && seen < 10; i++) {
      try {
        seen = readdirSync(join(root(web2), '.shipyaml/cache'), { recursive: true }).length;
      } catch {
        seen = 0;
      }
      if (seen < 10) await new Promise((r) => setTimeout(r, 10));
    }
    expect(run.output()).not.toMatch(/\[web2\] upload ok/);
    expect(seen, 'part of the tree had arrived on web2').toBeGreaterThanOrEqual(10);
    await fleet.kill(web2);
    const r = await run.done;
    const out = r.stdout + r.stderr;
    expect([1, 4], out).toContain(r.code);
    expect(r.stderr).toMatch(/web2/);
    expect(r.stderr).toMatch(/upload/);
    const after = state();
    for (const i of [0, 2]) expect(after[i], fleet.hosts[i]!.alias).toEqual(before[i]);
    console.log(`connection loss mid-transfer: exit ${r.code}; ${r.stderr.split('\n').find((l) => /web2/.test(l))?.trim()}`);
  }, 120_000);

  it('sshd killed mid-hook: exit 1 or 4 naming the host and the task; the others untouched', async () => {
    const { dir, fleet, before, state } = await deployedFleet(`tasks:
  warm: { run: "echo warm-start; sleep 2" }
hooks: { before_switch: [warm] }`);
    writeFileSync(join(dir, 'build/index.html'), 'v2\n');
    const run = startCli(['deploy', 'production', '--verbose'], { cwd: dir, timeoutMs: 90_000 });
    await run.waitFor(/\[web2\] out: warm-start/, 30_000);
    await fleet.kill('web2');
    const r = await run.done;
    const out = r.stdout + r.stderr;
    expect([1, 4], out).toContain(r.code);
    expect(r.stderr).toMatch(/web2/);
    expect(r.stderr).toMatch(/warm/);
    const after = state();
    for (const i of [0, 2]) expect(after[i], fleet.hosts[i]!.alias).toEqual(before[i]);
    console.log(`connection loss mid-hook: exit ${r.code}; ${r.stderr.split('\n').find((l) => /web2/.test(l))?.trim()}`);
  }, 120_000);
});
