import { isAbsolute, relative, sep } from 'node:path';
import { identity } from './identity.js';
import type { StageConfig } from '../config/stage-config.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { buildDeployPlan } from '../plan/build-plan.js';
import type { HostPlan } from '../plan/plan.js';
import { nextReleaseId } from '../plan/release-id.js';
import { releasesToRemove } from '../plan/retention.js';
import { releaseStatuses, type LogEntry, type ServerState } from '../plan/server-state.js';
import { appendLog, releaseLock, removeReleases, type UploadPlan } from '../plan/steps.js';
import { uploadArchive, uploadSource, type UploadArchive } from '../transfer/upload-source.js';
import type { BuildManifest } from '../transfer/scan.js';
import { userCacheDir } from '../cache-dir.js';
import { digestCacheFile } from '../transfer/digest-cache.js';
import { scanBuildInWorker, type BuildScan } from '../transfer/scan-in-worker.js';
import type { CacheListing } from '../plan/cache-listing.js';
import { decideUpload, type UploadMode } from '../plan/delta.js';
import type { Transport } from '../transport/transport.js';
import { now, type Phase } from './events.js';
import { lockAll, unlockAll, type HeldLocks } from './locks.js';
import { mapSettled, rejections } from './parallel.js';
import { phase, type Session } from './session.js';
import { fetchRevision } from './git-source.js';
import { StepError } from './step-error.js';
import { runStep, runSteps } from './step-runner.js';

export interface DeployOptions {
  revision?: { commit: string; dirty: boolean };
  /** Send the whole build, whatever the hosts' caches hold (--full). */
  full?: boolean;
  /** The scan started early by startBuildScan (it overlaps with connecting); else started here. */
  build?: BuildScan;
  clock?: () => Date;
}

export interface DeployResult {
  releaseId: string;
  timings: { phase: Phase; ms: number }[];
}

interface HostRun {
  t: Transport;
  plan: HostPlan;
  created: boolean;
  switched: boolean;
}

/**
 * The pipeline of DESIGN §2 across all hosts of a stage. Until every host is prepared nothing is
 * live; a failure before the switch removes every new release; a failure after it switches every
 * switched host back. Locks are released on every path out.
 */
export async function deploy(s: Session, stage: StageConfig, opts: DeployOptions = {}): Promise<DeployResult> {
  const timings: { phase: Phase; ms: number }[] = [];
  const started = Date.now();
  const scan = stage.source.kind === 'upload' ? (opts.build ?? startBuildScan(stage, { full: opts.full === true })) : undefined;
  // Walked before any lock: a missing build or a name it cannot have is a user error that must
  // change nothing anywhere. The reading and hashing go on meanwhile, overlapping with the lock.
  await scan?.walked;
  const locks = await phase(s, 'lock', () => lockAll(s, 'deploy', { cacheListing: scan !== undefined && opts.full !== true }), timings);
  let runs: HostRun[] = [];
  try {
    const build = scan ? await scan.manifest : undefined;
    refuseUnsafeCurrent(locks.states);
    const releaseId = nextReleaseId((opts.clock ?? (() => new Date()))(), allReleaseIds(locks.states));
    // git: every host's mirror is updated and the ref resolved first, so all export one commit.
    const git = build ? undefined : { commit: await fetchRevision(s, stage) };
    const revision = git ? { commit: git.commit, dirty: false } : opts.revision;
    const uploads = build ? planUploads(build, s.transports, locks.states, opts.full === true) : undefined;
    const plan = buildDeployPlan({
      stage,
      releaseId,
      states: locks.states,
      upload: build && uploads ? { expect: { entries: build.entries.length, files: build.files, bytes: build.fileBytes, digest: build.digest }, modes: uploads.modes } : undefined,
      git,
    });
    runs = s.transports.map((t, i) => ({ t, plan: plan.hosts[i]!, created: false, switched: false }));
    const entry = (status: LogEntry['status']): LogEntry => ({
      action: 'deploy',
      id: releaseId,
      status,
      ...(revision ? { revision: revision.commit, dirty: revision.dirty } : {}),
      ...identity(),
      time: new Date().toISOString(),
      ms: Date.now() - started,
    });

    s.leftovers?.release(releaseId, runs.map((r) => `${r.t.host.name}:${r.plan.layout.releases}/${releaseId}`));
    try {
      await phase(s, 'prepare', () => prepareAll(s, runs, uploads), timings);
      if (s.signal.aborted) throw interrupted();
    } catch (e) {
      await discardAll(s, runs, entry('failed'));
      s.leftovers?.release(undefined, []);
      if (s.signal.aborted) {
        throw new ShipyamlError('E_INTERRUPTED', `interrupted before the switch: release ${releaseId} removed on every host, locks released; ${liveNow(runs)}`);
      }
      throw withState(e, runs, 'new release removed');
    }
    // From here on an interrupt does not cut a step short: the switch finishes on the hosts it
    // started on, and then every switched host goes back, so the fleet ends all on one release.
    const batches = stage.rolling ? chunk(runs, stage.rolling) : [runs];
    try {
      for (const batch of batches) {
        if (s.signal.aborted) throw interrupted();
        await phase(s, 'switch', () => forAll(s, batch, async (r) => {
          r.switched = true; // before: a switch that dies half-way is still undone
          s.leftovers?.switchedTo(r.t.host.name, true);
          await runStep(r.t, 'switch', r.plan.switch, { ...s, signal: undefined });
        }), timings);
        if (batch.some((r) => r.plan.afterSwitch.length)) {
          await phase(s, 'after_switch', () => forAll(s, batch, async (r) => void (await runSteps(r.t, 'after_switch', r.plan.afterSwitch, s))), timings);
        }
        if (batch.some((r) => r.plan.healthcheck)) {
          await phase(s, 'healthcheck', () => forAll(s, batch, (r) => healthcheck(s, r, stage)), timings);
        }
      }
      if (s.signal.aborted) throw interrupted();
    } catch (e) {
      await phase(s, 'rollback', () => switchBackAll(s, runs), timings).catch(() => {});
      await discardAll(s, runs, entry('failed'));
      s.leftovers?.release(undefined, []);
      if (s.signal.aborted) {
        throw new ShipyamlError('E_INTERRUPTED', `interrupted during the switch: every host was switched back; ${liveNow(runs)}; release ${releaseId} removed`);
      }
      throw withState(e, runs, stage.rolling ? 'switched back (every batch); new release removed' : 'switched back; new release removed');
    }
    s.leftovers?.release(undefined, []);
    await phase(s, 'finish', () => finishAll(s, runs, locks, stage.keepReleases, entry('ok')), timings);
    return { releaseId, timings };
  } finally {
    await unlockAll(s, locks.taken, locks.token);
  }
}

/** Every host's prepare steps in one round trip: mkdir, upload (stdin) or git export, link shared, hooks. */
async function prepareAll(s: Session, runs: HostRun[], uploads: Uploads | undefined): Promise<void> {
  await forAll(s, runs, async (r) => {
    if (s.signal.aborted) throw interrupted();
    // Marked before it runs: if the batch dies half-way, the discard must still remove the dir.
    r.created = true;
    if (!uploads) return void (await runSteps(r.t, 'prepare', r.plan.prepare, s));
    const { archive, files } = uploads.archives.get(r.t.host.name)!;
    const mode = uploads.modes.get(r.t.host.name)!.kind;
    let last = 0;
    const source = uploadSource(archive, (sent) => {
      // At most every 250 ms, and once at the end.
      if (sent < source.bytes && Date.now() - last < 250) return;
      last = Date.now();
      s.emit({ type: 'transfer', time: now(), host: r.t.host.name, bytes: sent, total: source.bytes, files, mode });
    });
    await runSteps(r.t, 'prepare', r.plan.prepare, s, source);
  });
}

/** What one host is sent: an archive (shared with the hosts that need the same) and its file count. */
interface HostArchive {
  archive: UploadArchive;
  files: number;
}

interface Uploads {
  modes: Map<string, UploadPlan>;
  archives: Map<string, HostArchive>;
}

/**
 * Decides per host what to send (everything, or only what its cache lacks); hosts with the same
 * cache share one archive. A large archive is read from the build by each host as it is sent; a
 * small one is built once (transfer/upload-source.ts).
 */
function planUploads(build: BuildManifest, transports: Transport[], states: Map<string, ServerState>, full: boolean): Uploads {
  const modes = new Map<string, UploadPlan>();
  const archives = new Map<string, HostArchive>();
  const byKey = new Map<string, HostArchive>();
  // Hosts with the same listing share its parse (plan/server-state.ts), and so one decision.
  const decisions = new Map<CacheListing | undefined, UploadMode>();
  for (const t of transports) {
    const cache = states.get(t.host.name)?.cache;
    let decision = decisions.get(cache);
    if (!decision) decisions.set(cache, (decision = decideUpload(build.entries, cache, full)));
    modes.set(t.host.name, decision.kind === 'full' ? { kind: 'full' } : { kind: 'delta', removed: decision.removed });
    const send = decision.kind === 'delta' ? decision.send : undefined;
    const key = send ? JSON.stringify([...send]) : 'full';
    let archive = byKey.get(key);
    if (!archive) {
      const entries = send ? build.entries.filter((e) => send.has(e.path)) : build.entries;
      archive = { archive: uploadArchive(entries), files: decision.kind === 'delta' ? decision.changedFiles : build.files };
      byKey.set(key, archive);
    }
    archives.set(t.host.name, archive);
  }
  return { modes, archives };
}

/** Runs a step on every host in parallel; every host finishes its current work before this throws. */
async function forAll(s: Session, runs: HostRun[], fn: (r: HostRun) => Promise<void>): Promise<void> {
  const errors = rejections(await mapSettled(runs, s.parallel, fn));
  if (errors.length) throw errors.find((e) => e instanceof StepError) ?? errors[0];
}

async function healthcheck(s: Session, r: HostRun, stage: StageConfig): Promise<void> {
  const hc = stage.healthcheck!;
  const step = r.plan.healthcheck!;
  let last: unknown;
  for (let attempt = 1; attempt <= Math.max(1, hc.retries); attempt++) {
    if (s.signal.aborted) throw interrupted();
    try {
      await runStep(r.t, 'healthcheck', { ...step, name: attempt > 1 ? `healthcheck (try ${attempt})` : step.name }, s);
      return;
    } catch (e) {
      last = e;
      if (attempt < hc.retries) await new Promise((res) => setTimeout(res, hc.intervalMs));
    }
  }
  if (last instanceof StepError) throw new StepError('E_HEALTHCHECK', { ...last.failure, code: 'E_HEALTHCHECK', message: `healthcheck failed on ${r.t.host.name} after ${hc.retries} tries` });
  throw last;
}

async function switchBackAll(s: Session, runs: HostRun[]): Promise<void> {
  await forAll(s, runs.filter((r) => r.switched), async (r) => {
    // Not interruptible: a half-done way back is worse than finishing it.
    await runSteps(r.t, 'rollback', [r.plan.switchBack!], { ...s, signal: undefined });
    r.switched = false;
    s.leftovers?.switchedTo(r.t.host.name, false);
    await runSteps(r.t, 'rollback', r.plan.afterRollback, { ...s, signal: undefined }).catch(() => {});
  });
}

async function discardAll(s: Session, runs: HostRun[], entry: LogEntry): Promise<void> {
  // The discard runs even when the run was interrupted: it is what keeps hosts clean.
  await mapSettled(runs.filter((r) => r.created && !r.switched), s.parallel, (r) =>
    runSteps(r.t, 'finish', [r.plan.discard, { name: 'log', kind: 'command', cmd: appendLog(r.plan.layout, entry) }], { ...s, signal: undefined }),
  );
}

/** Log, retention and unlock in one round trip per host. */
async function finishAll(s: Session, runs: HostRun[], locks: HeldLocks, keep: number, entry: LogEntry): Promise<void> {
  await forAll(s, runs, async (r) => {
    const before = locks.states.get(r.t.host.name)!;
    const after: ServerState = { ...before, current: entry.id, releases: [...before.releases, entry.id], log: [...before.log, entry] };
    // The good release live until now is what a human's "go back" means: never removed here, even
    // when ids from a clock that ran ahead make it look old. (One with no success in the log, live
    // only because a run was killed after its switch, stays partial and goes.)
    const previous = before.current && releaseStatuses(after).get(before.current) === 'ok' ? [before.current] : [];
    const remove = releasesToRemove({ state: after, keepReleases: keep, inFlight: [entry.id, ...previous] });
    const l = r.plan.layout;
    await runSteps(r.t, 'finish', [
      { name: 'log', kind: 'command', cmd: appendLog(l, entry) },
      ...(remove.length ? [{ name: 'cleanup', kind: 'command' as const, cmd: removeReleases(l, remove) }] : []),
      { name: 'unlock', kind: 'command', cmd: releaseLock(l, locks.token) },
    ], { ...s, signal: undefined });
    locks.taken.splice(locks.taken.indexOf(r.t), 1);
    s.leftovers?.unlock(r.t.host.name);
    s.leftovers?.switchedTo(r.t.host.name, false);
  });
}

function refuseUnsafeCurrent(states: Map<string, ServerState>): void {
  const bad = [...states].filter(([, st]) => st.currentNotLink).map(([h]) => h);
  if (bad.length) {
    throw new ShipyamlError('E_SWITCH', `\`current\` is a real directory, not a symlink, on ${bad.join(', ')}`, {
      hint: 'Move that directory away (e.g. into releases/ under a release id) so the switch can be atomic; `shipyaml doctor` shows it.',
    });
  }
}

/**
 * Walks, reads and hashes an upload stage's build on a worker thread; its walk is awaited before
 * the lock. Files unchanged since the last scan keep their digests (digest-cache.ts), except with
 * --full, which reads every file again.
 */
export function startBuildScan(stage: StageConfig, opts: { full: boolean }): BuildScan | undefined {
  if (stage.source.kind !== 'upload') return undefined;
  const build = stage.source.build;
  const exclude = [...stage.source.exclude, ...insideOf(build, stage.hosts.filter((h) => h.local).map((h) => h.deployTo))];
  const file = digestCacheFile(build, exclude);
  // Never upload our own state: a local deploy_to inside the build (build: . with deploy_to
  // ./.shipyaml/…), above, or shipyaml's cache dir where the build holds it (build: ~).
  exclude.push(...insideOf(build, [userCacheDir()]));
  return scanBuildInWorker(build, exclude, { digests: file === undefined ? undefined : { file, reuse: !opts.full } });
}

/** Exclude patterns, anchored at the build root, for those of `dirs` that lie inside `build`. */
function insideOf(build: string, dirs: string[]): string[] {
  return dirs
    .map((d) => relative(build, d))
    .filter((rel) => rel && !rel.startsWith('..') && !isAbsolute(rel))
    .map((rel) => `/${rel.split(sep).join('/')}`);
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}

/** "every host is on X" or each host's live release, for messages after an undo. */
function liveNow(runs: HostRun[]): string {
  const prev = new Set(runs.map((r) => r.plan.previous ?? 'none'));
  if (prev.size === 1) {
    const p = [...prev][0]!;
    return p === 'none' ? 'no release was live before and none is now' : `every host is still on ${p}`;
  }
  return runs.map((r) => `${r.t.host.name} on ${r.plan.previous ?? 'none'}`).join(', ');
}

function allReleaseIds(states: Map<string, ServerState>): string[] {
  return [...states.values()].flatMap((st) => [...st.releases, ...st.log.map((e) => e.id)]);
}

/** Adds "what state each host was left in" to a failure. */
function withState(e: unknown, runs: HostRun[], what: string): unknown {
  if (e instanceof StepError && !e.failure.state) {
    const r = runs.find((x) => x.t.host.name === e.failure.host);
    const prev = r?.plan.previous;
    e.failure.state = `${prev ? `still on ${prev}` : 'no release live (first deploy)'}; ${what}`;
  }
  return e;
}

export function interrupted(): ShipyamlError {
  return new ShipyamlError('E_INTERRUPTED', 'interrupted before the switch: nothing was switched');
}

