// The measured runs on one fleet, shipyaml and the script alternating (who goes first swaps every
// run, so warm caches and background noise fall on both alike). Every loop is bounded by the
// run count; every command by a timeout (see measure.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { digestCacheDir } from '../../src/transfer/digest-cache.js';
import type { Fleet } from '../../test/harness/sshd.js';
import { busyMs, summariseProfile, threadProfiles, type ProfileSummary } from './profile.js';
import { baseline, baselineSetup, checkLive, floor, FLOORS, resetRoot, shipyaml, shipyamlSetup, type Sample, type Tool } from './tools.js';
import { ONE_SHARED, STANDARD, TEN_HOOKS, TEN_SHARED, writeConfigs, type AppShape, type Workspace } from './workspace.js';

export const SHIP_ROOT = '/srv/app';
export const CLASSIC_ROOT = '/srv/classic';

const order = (run: number): Tool[] => (run % 2 === 0 ? ['shipyaml', 'baseline'] : ['baseline', 'shipyaml']);

/** Release ids for the script: ordered, unique, in shipyaml's format. */
let scriptSeq = 0;
const nextScriptId = (): string => `20260101-${String(++scriptSeq).padStart(6, '0')}`;

function probe(ws: Workspace, variant: 'a' | 'b' | undefined) {
  if (!variant) throw new Error('the benchmark lost track of which build a release holds');
  const path = ws.changed[0]!;
  const build = variant === 'a' ? ws.a : ws.b;
  return { path, data: build.files.find((f) => f.path === path)!.data };
}

/** shipyaml's stage `parallel` for the benchmark (BENCH_PARALLEL); unset: shipyaml's default. */
export const PARALLEL = process.env.BENCH_PARALLEL ? Number(process.env.BENCH_PARALLEL) : undefined;

/** However late it is, each scenario gets this many runs (a median of fewer says little). */
const MIN_RUNS = 3;

/**
 * First deploys, then redeploy + rollback pairs, `runs` of each — fewer (at least MIN_RUNS)
 * when the next run would end after `deadlineAt`, so a slow or busy machine still ends in
 * bounded time.
 */
export async function runDeployScenarios(ws: Workspace, fleet: Fleet, runs: number, log: (s: string) => void, deadlineAt = Infinity): Promise<Sample[]> {
  // Another run only if, at the pace of the last one, it ends before the deadline.
  // First deploys get a bit over half of the time left, redeploy + rollback the rest.
  const firstBy = Date.now() + (deadlineAt - Date.now()) * 0.55;
  let last = 0;
  let since = Date.now();
  const more = (run: number, by: number) => {
    const now = Date.now();
    if (run > 0) last = now - since;
    since = now;
    if (run < MIN_RUNS || now + last <= by) return true;
    log(`  out of time: ${run} run(s) of this scenario at ${fleet.hosts.length} host(s) (BENCH_BUDGET_MIN)`);
    return false;
  };
  const samples: Sample[] = [];
  const ship: AppShape = { deployTo: SHIP_ROOT, ...STANDARD, ...(PARALLEL ? { parallel: PARALLEL } : {}) };
  const classic: AppShape = { deployTo: CLASSIC_ROOT, ...STANDARD };
  const cfg = writeConfigs(ws, fleet, 'deploy', ship);
  const n = fleet.hosts.length;
  const say = (s: Sample) => {
    samples.push(s);
    const bytes = s.bytesPerHost ? ` ${(s.bytesPerHost[0]! / 1e6).toFixed(2)} MB/host` : '';
    log(`  ${n} host(s) ${s.scenario.padEnd(12)} run ${s.run + 1} ${s.tool.padEnd(13)} ${(s.ms / 1000).toFixed(3)} s${bytes}`);
  };

  // First deploy: a fresh deploy root every run (set up, untimed), then the timed deploy.
  let classicIds: string[] = [];
  /** Which build each release holds, to check what `current` serves after a rollback. */
  const content = new Map<string, 'a' | 'b'>();
  for (let run = 0; run < runs && more(run, firstBy); run++) {
    resetRoot(fleet, SHIP_ROOT);
    resetRoot(fleet, CLASSIC_ROOT);
    // A build never scanned before: every file is read and hashed (no digest cache). The CLI's
    // compiled code (cli/code-cache.ts) stays: whoever deploys a new build has run shipyaml before.
    rmSync(digestCacheDir({ XDG_CACHE_HOME: ws.cacheHome }), { recursive: true, force: true });
    await shipyamlSetup(ws, cfg.a);
    baselineSetup(fleet, classic);
    classicIds = [];
    for (const tool of order(run)) {
      if (tool === 'shipyaml') {
        const s = await shipyaml(ws, fleet, ['-c', cfg.a, 'deploy', 'production'], { scenario: 'first deploy', run });
        checkLive(fleet, SHIP_ROOT, s.releaseId!, probe(ws, 'a'));
        content.set(s.releaseId!, 'a');
        say(s);
      } else {
        const id = nextScriptId();
        say(await baseline(ws, fleet, 'deploy', id, classic, ws.buildA, { scenario: 'first deploy', run }));
        checkLive(fleet, CLASSIC_ROOT, id, probe(ws, 'a'));
        classicIds.push(id);
        content.set(id, 'a');
      }
    }
  }

  // Redeploy of the 1% variant, then rollback, alternating a -> b -> a…: each redeploy differs
  // from the last upload (shipyaml's cache) by the same 1% of the files.
  for (let run = 0; run < runs && more(run, deadlineAt); run++) {
    const variant = run % 2 === 0 ? 'b' : 'a';
    const build = variant === 'a' ? ws.buildA : ws.buildB;
    const config = variant === 'a' ? cfg.a : cfg.b;
    for (const tool of order(run)) {
      if (tool === 'shipyaml') {
        const s = await shipyaml(ws, fleet, ['-c', config, 'deploy', 'production'], { scenario: 'redeploy 1%', run });
        checkLive(fleet, SHIP_ROOT, s.releaseId!, probe(ws, variant));
        content.set(s.releaseId!, variant);
        say(s);
      } else {
        const id = nextScriptId();
        say(await baseline(ws, fleet, 'deploy', id, classic, build, { scenario: 'redeploy 1%', run }));
        checkLive(fleet, CLASSIC_ROOT, id, probe(ws, variant));
        classicIds.push(id);
        content.set(id, variant);
      }
    }
    // The article's rollback: the release before the newest (keep 5 has kept it).
    const previous = classicIds[classicIds.length - 2]!;
    for (const tool of order(run)) {
      if (tool === 'shipyaml') {
        const s = await shipyaml(ws, fleet, ['-c', config, 'rollback', 'production'], { scenario: 'rollback', run });
        checkLive(fleet, SHIP_ROOT, s.releaseId!, probe(ws, content.get(s.releaseId!)!));
        say(s);
      } else {
        say(await baseline(ws, fleet, 'rollback', previous, classic, build, { scenario: 'rollback', run }));
        checkLive(fleet, CLASSIC_ROOT, previous, probe(ws, content.get(previous)!));
      }
    }
    // What a rollback cannot go under here: a connection and `true` per host, nothing else; and
    // the script's own rollback command sent over ssh2 (switching to where the script just went).
    for (const tool of run % 2 === 0 ? FLOORS : [...FLOORS].reverse()) {
      say(await floor(fleet, tool, { scenario: 'rollback', run, deployTo: CLASSIC_ROOT, switchTo: previous }));
    }
    checkLive(fleet, CLASSIC_ROOT, previous, probe(ws, content.get(previous)!));
  }
  return samples;
}

export interface Profiled {
  scenario: string;
  sample: Sample;
  /** The main thread's profile. */
  summary: ProfileSummary;
  /** What the build scan's worker thread was busy for (walk, digest cache, hashing), ms. */
  scanThreadMs?: number;
  /** The script's run of the same scenario, with its server CPU by program. */
  script: Sample;
}

/**
 * One first deploy and one 1% redeploy of shipyaml under `node --cpu-prof`, and of the script,
 * both with the hosts' CPU sampled by program (not in the medians: profiling and sampling cost).
 */
export async function runProfiled(ws: Workspace, fleet: Fleet, log: (s: string) => void): Promise<Profiled[]> {
  const ship: AppShape = { deployTo: SHIP_ROOT, ...STANDARD, ...(PARALLEL ? { parallel: PARALLEL } : {}) };
  const classic: AppShape = { deployTo: CLASSIC_ROOT, ...STANDARD };
  const cfg = writeConfigs(ws, fleet, 'deploy', ship);
  resetRoot(fleet, SHIP_ROOT);
  resetRoot(fleet, CLASSIC_ROOT);
  await shipyamlSetup(ws, cfg.a);
  baselineSetup(fleet, classic);
  const out: Profiled[] = [];
  for (const [scenario, config, variant] of [['first deploy', cfg.a, 'a'], ['redeploy 1%', cfg.b, 'b']] as const) {
    const dir = mkdtempSync(join(ws.dir, 'cpuprof-'));
    const sample = await shipyaml(ws, fleet, ['-c', config, 'deploy', 'production'], { scenario: `${scenario} (profiled)`, run: 0, cpuProfDir: dir, programs: true });
    checkLive(fleet, SHIP_ROOT, sample.releaseId!, probe(ws, variant));
    const id = nextScriptId();
    const script = await baseline(ws, fleet, 'deploy', id, classic, variant === 'a' ? ws.buildA : ws.buildB, { scenario: `${scenario} (profiled)`, run: 0, programs: true });
    checkLive(fleet, CLASSIC_ROOT, id, probe(ws, variant));
    const profiles = threadProfiles(dir);
    const summary = summariseProfile(profiles.main);
    const scanThreadMs = profiles.workers.length ? busyMs(summariseProfile(profiles.workers[0]!)) : undefined;
    const top = (s: Sample) => (s.serverPrograms ?? []).slice(0, 3).map((p) => `${p.program} ${p.cpuS.toFixed(2)}`).join(', ');
    log(`  profiled ${scenario} at ${fleet.hosts.length} hosts: shipyaml ${(sample.ms / 1000).toFixed(2)} s (server CPU: ${top(sample)}), script ${(script.ms / 1000).toFixed(2)} s (server CPU: ${top(script)})`);
    out.push({ scenario, sample, summary, ...(scanThreadMs !== undefined ? { scanThreadMs } : {}), script });
  }
  return out;
}

export interface RoundTrips {
  shape: string;
  tool: Tool;
  first: { connections: number; sessions: number };
  redeploy: { connections: number; sessions: number };
}

/** Exec sessions and connections per host for a first deploy and a redeploy, with 1 or 10 shared paths / hooks. */
export async function runRoundTrips(ws: Workspace, fleet: Fleet, log: (s: string) => void): Promise<RoundTrips[]> {
  const out: RoundTrips[] = [];
  const shapes: [string, Omit<AppShape, 'deployTo'>][] = [
    ['1 shared path, 1 hook', ONE_SHARED],
    ['10 shared paths, 1 hook', TEN_SHARED],
    ['1 shared path, 10 hooks', TEN_HOOKS],
  ];
  for (const [i, [name, shape]] of shapes.entries()) {
    const ship: AppShape = { deployTo: '/srv/rt-app', ...shape };
    const classic: AppShape = { deployTo: '/srv/rt-classic', ...shape };
    const cfg = writeConfigs(ws, fleet, `rt-${i}`, ship);
    resetRoot(fleet, ship.deployTo);
    resetRoot(fleet, classic.deployTo);
    await shipyamlSetup(ws, cfg.a);
    baselineSetup(fleet, classic);
    const perHost = (s: Sample) => ({
      connections: s.perHost.reduce((n, h) => n + h.connections, 0) / s.perHost.length,
      sessions: s.perHost.reduce((n, h) => n + h.sessions, 0) / s.perHost.length,
    });
    const s1 = await shipyaml(ws, fleet, ['-c', cfg.a, 'deploy', 'production'], { scenario: 'round trips', run: 0 });
    const s2 = await shipyaml(ws, fleet, ['-c', cfg.b, 'deploy', 'production'], { scenario: 'round trips', run: 1 });
    out.push({ shape: name, tool: 'shipyaml', first: perHost(s1), redeploy: perHost(s2) });
    const b1 = await baseline(ws, fleet, 'deploy', nextScriptId(), classic, ws.buildA, { scenario: 'round trips', run: 0 });
    const b2 = await baseline(ws, fleet, 'deploy', nextScriptId(), classic, ws.buildB, { scenario: 'round trips', run: 1 });
    out.push({ shape: name, tool: 'baseline', first: perHost(b1), redeploy: perHost(b2) });
    log(`  round trips, ${name}: shipyaml ${perHost(s1).sessions}/${perHost(s2).sessions} execs, script ${perHost(b1).sessions}/${perHost(b2).sessions} execs per host (first/redeploy)`);
    resetRoot(fleet, ship.deployTo);
    resetRoot(fleet, classic.deployTo);
  }
  return out;
}
