// deploy() and the build scan (src/run/deploy.ts): the walk is awaited before any lock, so a bad
// build changes nothing; the hashing overlaps with the lock, and a failure there releases it.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, resolveStage } from '../../src/config/index.js';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { deploy } from '../../src/run/deploy.js';
import type { RunEvent } from '../../src/run/events.js';
import type { Session } from '../../src/run/session.js';
import { createRedactor } from '../../src/shell/redact.js';
import { scanBuild, type BuildManifest } from '../../src/transfer/scan.js';
import type { BuildScan } from '../../src/transfer/scan-in-worker.js';
import { LocalTransport } from '../../src/transport/local.js';
import { localStage, makeApp } from '../support/app.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setUp(): Promise<{ root: string; build: string; session: Session; events: RunEvent[]; stage: Awaited<ReturnType<typeof resolveStage>> }> {
  const { dir, root } = makeApp(localStage(), { 'index.html': 'v1\n', 'app/main.js': 'x\n' });
  dirs.push(dir);
  const stage = resolveStage(await loadConfig({ cwd: dir }), 'local', { vars: {}, env: {} });
  const events: RunEvent[] = [];
  const session: Session = {
    transports: stage.hosts.map((h) => new LocalTransport(h)),
    emit: (e) => void events.push(e),
    redact: createRedactor([]),
    parallel: 1,
    signal: new AbortController().signal,
  };
  return { root, build: join(dir, 'build'), session, events, stage };
}

const phases = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'phase' ? [`${e.phase} ${e.status}`] : []));

/** A scan whose parts the test settles itself. */
function manualScan(): BuildScan & { walk(): void; failWalk(e: unknown): void; hash(m: BuildManifest): void; failHash(e: unknown): void } {
  let walk!: () => void, failWalk!: (e: unknown) => void, hash!: (m: BuildManifest) => void, failHash!: (e: unknown) => void;
  const walked = new Promise<void>((res, rej) => ((walk = res), (failWalk = rej)));
  const manifest = new Promise<BuildManifest>((res, rej) => ((hash = res), (failHash = rej)));
  walked.catch(() => {});
  manifest.catch(() => {});
  return { walked, manifest, walk, failWalk, hash, failHash };
}

describe('deploy and the build scan', () => {
  it('a walk that fails locks nothing and creates nothing', async () => {
    const { root, session, events, stage } = await setUp();
    const scan = manualScan();
    scan.failWalk(new ShipyamlError('E_BUILD', 'the build holds a file name with a line break: "a\\nb"'));
    await expect(deploy(session, stage, { build: scan })).rejects.toThrow(/line break/);
    expect(phases(events)).toEqual([]);
    expect(existsSync(root)).toBe(false);
  });

  it('the lock is taken while the build is still being hashed', async () => {
    const { root, build, session, events, stage } = await setUp();
    const scan = manualScan();
    scan.walk();
    // The manifest comes only once the lock phase is over: awaiting it before the lock would hang.
    const manifest = await scanBuild(build, []);
    session.emit = (e) => {
      events.push(e);
      if (e.type === 'phase' && e.phase === 'lock' && e.status === 'ok') scan.hash(manifest);
    };
    const r = await deploy(session, stage, { build: scan });
    expect(phases(events).slice(0, 3)).toEqual(['lock start', 'lock ok', 'prepare start']);
    expect(readdirSync(join(root, 'releases'))).toEqual([r.releaseId]);
  }, 30_000);

  it('a hashing failure after the lock releases it and creates no release', async () => {
    const { root, session, events, stage } = await setUp();
    const scan = manualScan();
    scan.walk();
    session.emit = (e) => {
      events.push(e);
      if (e.type === 'phase' && e.phase === 'lock' && e.status === 'ok') scan.failHash(new ShipyamlError('E_BUILD', 'app/main.js could not be read'));
    };
    await expect(deploy(session, stage, { build: scan })).rejects.toThrow(/could not be read/);
    expect(phases(events)).toEqual(['lock start', 'lock ok']);
    expect(existsSync(join(root, '.shipyaml/lock'))).toBe(false);
    expect(readdirSync(join(root, 'releases'))).toEqual([]);
  }, 30_000);
});
