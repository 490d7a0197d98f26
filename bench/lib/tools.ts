// The two contenders, run as a user runs them, each measured the same way: wall time, what every
// host's sshd saw (connections, exec sessions, CPU), the machine's CPU, and bytes sent per host.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fleet } from '../../test/harness/sshd.js';
import { CLI_ENV } from './cli-env.js';
import { diffCounters, hostCounters, machineBusyS, pollCpu, pollPrograms, settle, timed, waitQuiet, type HostCounters, type Timed } from './measure.js';
import type { AppShape, Workspace } from './workspace.js';

export const BASELINE = fileURLToPath(new URL('../baseline.sh', import.meta.url));

/** The floors measured beside the rollbacks (see `floor`), in the order they run and are reported. */
export const FLOORS = ['ssh2 floor', 'OpenSSH floor', 'ssh2 switch'] as const;
export type Floor = (typeof FLOORS)[number];
/** The two contenders, then the floors: the order of the report's tables. */
export const TOOLS = ['shipyaml', 'baseline', ...FLOORS] as const;
export type Tool = (typeof TOOLS)[number];
export const FLOOR_SSH2 = fileURLToPath(new URL('../floor-ssh2.cjs', import.meta.url));
export type Scenario = 'first deploy' | 'redeploy 1%' | 'rollback';

export interface Sample {
  tool: Tool;
  scenario: Scenario | string;
  hosts: number;
  run: number;
  ms: number;
  perHost: HostCounters[];
  /** Busy CPU seconds of the whole machine during the run (client + every sshd + anything else running). */
  machineCpuS: number;
  /** CPU of the tool on this machine: the shipyaml process; the script with rsync, ssh and its ControlMasters. */
  clientCpuS: number;
  /** CPU of every host's sshd tree (sshd, sh, tar, rsync, cp… on the server side), all hosts. */
  serverCpuS: number;
  /** Machine CPU not accounted for by client, servers or the benchmark itself: other work on the machine. */
  otherCpuS: number;
  /** Machine load (busy cores) just before the run. */
  busyBefore: number;
  /** With RunOptions.programs: server CPU seconds by program name, all hosts; "(short-lived, not sampled)" is the rest. */
  serverPrograms?: { program: string; cpuS: number }[];
  /** Peak RSS of the shipyaml process (for the baseline: of its largest waited-for child). */
  maxRssKB?: number;
  bytesPerHost?: number[];
  modes?: string[];
  releaseId?: string;
  phases?: { phase: string; ms: number }[];
  /** shipyaml only: the run as consecutive spans from spawn to exit (phases and the gaps between them). */
  timeline?: { span: string; ms: number }[];
  steps?: { host: string; phase: string; step: string; ms: number }[];
}

export interface RunOptions {
  scenario: Scenario | string;
  run: number;
  /** node --cpu-prof into this directory. */
  cpuProfDir?: string;
  /** Sample the hosts' process trees for server CPU by program (costs the benchmark some CPU). */
  programs?: boolean;
}

function fail(what: string, r: Timed): never {
  throw new Error(`${what} failed with exit ${r.code}\n--- stdout (tail)\n${r.stdout.slice(-3000)}\n--- stderr (tail)\n${r.stderr.slice(-3000)}`);
}

/** Before each timed run: wait for a quiet machine, at most this long (and this long in all). */
const QUIET_WAIT_MS = Number(process.env.BENCH_QUIET_WAIT_MS ?? 15_000);
let quietBudgetMs = Number(process.env.BENCH_QUIET_BUDGET_MS ?? 180_000);

async function measured(
  fleet: Fleet,
  run: () => Promise<Timed>,
  daemons?: () => { stop: () => number },
  programs?: boolean,
): Promise<{ r: Timed; perHost: HostCounters[]; machineCpuS: number; daemonCpuS: number; benchCpuS: number; busyBefore: number; programs?: Map<string, number> }> {
  if (!(await settle(fleet.hosts))) throw new Error('sshd hosts still busy from an earlier command');
  const q = await waitQuiet(Math.max(0, Math.min(QUIET_WAIT_MS, quietBudgetMs)));
  quietBudgetMs -= q.waitedMs;
  const before = fleet.hosts.map(hostCounters);
  const self0 = process.cpuUsage();
  const m0 = machineBusyS();
  const poll = daemons?.();
  const byProgram = programs ? pollPrograms(fleet.hosts.map((h) => h.pid)) : undefined;
  const r = await run();
  const daemonCpuS = poll?.stop() ?? 0;
  const progs = byProgram?.stop();
  // Connection processes exit just after the client: wait for sshd to reap them (and log).
  await settle(fleet.hosts);
  const perHost = diffCounters(before, fleet.hosts.map(hostCounters));
  const machineCpuS = machineBusyS() - m0;
  const self = process.cpuUsage(self0);
  return { r, perHost, machineCpuS, daemonCpuS, benchCpuS: (self.user + self.system) / 1e6, busyBefore: q.busyCores, ...(progs ? { programs: progs } : {}) };
}

/** CPU split of one run: the tool on this machine (client), every sshd tree (servers), everything else. */
function cpuSplit(m: { r: Timed; perHost: HostCounters[]; machineCpuS: number; daemonCpuS: number; benchCpuS: number; programs?: Map<string, number> }) {
  const clientCpuS = (m.r.cpuS ?? 0) + m.daemonCpuS;
  const serverCpuS = m.perHost.reduce((n, h) => n + h.cpuS, 0);
  let serverPrograms: { program: string; cpuS: number }[] | undefined;
  if (m.programs) {
    serverPrograms = [...m.programs].map(([program, cpuS]) => ({ program, cpuS })).filter((p) => p.cpuS > 0);
    const sampled = serverPrograms.reduce((n, p) => n + p.cpuS, 0);
    serverPrograms.push({ program: '(short-lived, not sampled)', cpuS: Math.max(0, serverCpuS - sampled) });
    serverPrograms.sort((a, b) => b.cpuS - a.cpuS);
  }
  return {
    clientCpuS,
    serverCpuS,
    otherCpuS: Math.max(0, m.machineCpuS - clientCpuS - serverCpuS - m.benchCpuS),
    ...(serverPrograms ? { serverPrograms } : {}),
  };
}


/** `shipyaml ARGS --json` in the app directory. */
export async function shipyaml(ws: Workspace, fleet: Fleet, args: string[], opts: RunOptions): Promise<Sample> {
  const node = [process.execPath, ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [])];
  let spawnedAt = 0;
  const m = await measured(fleet, () => {
    spawnedAt = Date.now();
    return timed([...node, ws.cli, ...args, '--json'], { cwd: ws.app, env: { ...CLI_ENV, XDG_CACHE_HOME: ws.cacheHome }, usage: true });
  }, undefined, opts.programs);
  const { r, perHost, machineCpuS } = m;
  if (r.code !== 0) fail(`shipyaml ${args.join(' ')}`, r);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const bytes = new Map<string, number>();
  const modes = new Map<string, string>();
  for (const e of events.filter((x) => x.type === 'transfer')) {
    bytes.set(e.host as string, Math.max(bytes.get(e.host as string) ?? 0, e.bytes as number));
    modes.set(e.host as string, e.mode as string);
  }
  const done = events.find((e) => e.type === 'done');
  const steps = events
    .filter((e) => e.type === 'step' && e.status === 'ok' && typeof e.ms === 'number')
    .map((e) => ({ host: e.host as string, phase: e.phase as string, step: e.step as string, ms: e.ms as number }));
  const aliases = fleet.hosts.map((h) => h.alias);
  return {
    tool: 'shipyaml',
    scenario: opts.scenario,
    hosts: fleet.hosts.length,
    run: opts.run,
    ms: r.ms,
    perHost,
    machineCpuS,
    ...cpuSplit(m),
    busyBefore: m.busyBefore,
    ...(r.maxRssKB !== undefined ? { maxRssKB: r.maxRssKB } : {}),
    ...(bytes.size ? { bytesPerHost: aliases.map((a) => bytes.get(a) ?? 0), modes: aliases.map((a) => modes.get(a) ?? '?') } : {}),
    ...(typeof done?.releaseId === 'string' ? { releaseId: done.releaseId } : {}),
    ...(Array.isArray(done?.phases) ? { phases: done.phases as { phase: string; ms: number }[] } : {}),
    timeline: timeline(events, spawnedAt, spawnedAt + r.ms),
    steps,
  };
}

/** What shipyaml does between its phases (src/app/open-stage.ts, src/run/deploy.ts). */
const GAP_BEFORE: Record<string, string> = {
  connect: 'load config, pick transports',
  lock: 'read + digest the build (scanBuild)',
  prepare: 'delta decision + tar pack (planUploads)',
};

/** Spawn → start event → each phase and the gaps between → exit, from the events' timestamps. */
function timeline(events: Record<string, unknown>[], spawnedAt: number, exitedAt: number): { span: string; ms: number }[] {
  const out: { span: string; ms: number }[] = [];
  const t = (e: Record<string, unknown>) => Date.parse(e.time as string);
  const start = events.find((e) => e.type === 'start');
  if (!start) return out;
  out.push({ span: 'node start-up, CLI, config (spawn → start event)', ms: t(start) - spawnedAt });
  let at = t(start);
  for (const e of events) {
    if (e.type !== 'phase') continue;
    if (e.status === 'start') {
      const gap = t(e) - at;
      if (gap > 0) out.push({ span: GAP_BEFORE[e.phase as string] ?? `before ${String(e.phase)}`, ms: gap });
      at = t(e);
    } else {
      out.push({ span: `phase ${String(e.phase)}`, ms: t(e) - at });
      at = t(e);
    }
  }
  out.push({ span: 'close connections, exit', ms: Math.round(exitedAt - at) });
  return out;
}

/** Untimed: `shipyaml setup` (shared/ and the layout), as a user does once per server. */
export async function shipyamlSetup(ws: Workspace, config: string): Promise<void> {
  const r = await timed([process.execPath, ws.cli, '-c', config, 'setup', 'production'], { cwd: ws.app, env: CLI_ENV });
  if (r.code !== 0) fail('shipyaml setup', r);
}

/** Untimed: what setup does for the script (directly on each host's /srv). */
export function baselineSetup(fleet: Fleet, shape: AppShape): void {
  for (const h of fleet.hosts) {
    const root = join(h.root, shape.deployTo.replace(/^\/srv\//, ''));
    mkdirSync(join(root, 'releases'), { recursive: true });
    for (const d of shape.sharedDirs) mkdirSync(join(root, 'shared', d), { recursive: true });
    for (const f of shape.sharedFiles) {
      mkdirSync(join(root, 'shared', f, '..'), { recursive: true });
      writeFileSync(join(root, 'shared', f), '');
    }
  }
}

/** Removes a deploy root on every host (between first-deploy runs). */
export function resetRoot(fleet: Fleet, deployTo: string): void {
  for (const h of fleet.hosts) rmSync(join(h.root, deployTo.replace(/^\/srv\//, '')), { recursive: true, force: true });
}

export async function baseline(
  ws: Workspace,
  fleet: Fleet,
  cmd: 'deploy' | 'rollback',
  id: string,
  shape: AppShape,
  build: string,
  opts: RunOptions,
): Promise<Sample> {
  const stats = mkdtempSync(join(ws.dir, 'rsync-stats-'));
  // Short: a unix socket path is limited to 108 bytes and the masters' names add 41.
  const cm = mkdtempSync('/tmp/sy-cm-');
  try {
    const env = {
      ...process.env,
      SSH_CONFIG: fleet.sshConfig,
      DEPLOY_TO: shape.deployTo,
      BUILD: build,
      KEEP: '5',
      SHARED_FILES: shape.sharedFiles.join(' '),
      SHARED_DIRS: shape.sharedDirs.join(' '),
      HOOKS: String(shape.hooks),
      STATS_DIR: stats,
      CM_DIR: cm,
    };
    const aliases = fleet.hosts.map((h) => h.alias);
    // The masters detach (ControlPersist) and retitle themselves "ssh: CM_DIR/… [mux]".
    const masters = () => pollCpu((line) => line.includes(`${cm}/`) && line.includes('[mux]'));
    const m = await measured(fleet, () => timed(['bash', BASELINE, cmd, id, ...aliases], { env, usage: true }), masters, opts.programs);
    const { r, perHost, machineCpuS } = m;
    if (r.code !== 0) fail(`baseline.sh ${cmd} ${id}`, r);
    const sent = readdirSync(stats).length ? aliases.map((a) => rsyncBytesSent(readFileSync(join(stats, `${a}.txt`), 'utf8'))) : undefined;
    return {
      tool: 'baseline',
      scenario: opts.scenario,
      hosts: fleet.hosts.length,
      run: opts.run,
      ms: r.ms,
      perHost,
      machineCpuS,
      ...cpuSplit(m),
      busyBefore: m.busyBefore,
      ...(r.maxRssKB !== undefined ? { maxRssKB: r.maxRssKB } : {}),
      ...(sent ? { bytesPerHost: sent } : {}),
      releaseId: id,
    };
  } finally {
    rmSync(stats, { recursive: true, force: true });
    rmSync(cm, { recursive: true, force: true });
  }
}

/**
 * What one connection and one trivial command per host cost on this machine, all hosts at once,
 * with nothing else: the floor under a rollback (which is that plus a lock, a state read and the
 * switch). 'ssh2 floor': a Node process with ssh2 alone, its sockets dialed before ssh2 loads
 * (bench/floor-ssh2.cjs), the floor for shipyaml. 'OpenSSH floor': `baseline.sh floor`, the
 * script's own ssh per host in parallel running `true`, no ControlMaster: the floor for the
 * script. 'ssh2 switch': floor-ssh2.cjs
 * running the script's rollback command (to `switchTo` under `deployTo`, where the script's
 * rollback just switched, so nothing changes): the script's work over ssh2, without shipyaml's
 * config, host-key check, lock or state read.
 */
export async function floor(fleet: Fleet, tool: Floor, opts: RunOptions & { deployTo?: string; switchTo?: string }): Promise<Sample> {
  const aliases = fleet.hosts.map((h) => h.alias);
  const ports = fleet.hosts.map((h) => String(h.port));
  const argv =
    tool === 'OpenSSH floor'
      ? ['bash', BASELINE, 'floor', '-', ...aliases]
      : [process.execPath, FLOOR_SSH2, ...(tool === 'ssh2 switch' ? ['--run', scriptRollbackCommand(opts)] : []), fleet.clientKey, ...ports];
  // The script requires DEPLOY_TO; `floor` touches nothing under it.
  const env = { ...CLI_ENV, SSH_CONFIG: fleet.sshConfig, DEPLOY_TO: '/srv/floor' };
  const m = await measured(fleet, () => timed(argv, { env, usage: true }));
  const { r, perHost, machineCpuS } = m;
  if (r.code !== 0) fail(tool, r);
  return { tool, scenario: opts.scenario, hosts: fleet.hosts.length, run: opts.run, ms: r.ms, perHost, machineCpuS, ...cpuSplit(m), busyBefore: m.busyBefore };
}

/** baseline.sh's rollback_host command, word for word (its values are plain path characters). */
function scriptRollbackCommand(opts: { deployTo?: string; switchTo?: string }): string {
  const { deployTo, switchTo } = opts;
  if (!deployTo || !switchTo || !/^[A-Za-z0-9._/-]+$/.test(deployTo + switchTo)) throw new Error('ssh2 switch: needs a plain deployTo and switchTo');
  return `cd ${deployTo} && ln -sfn releases/${switchTo} current.new && mv -T current.new current`;
}

/** rsync --stats: "Total bytes sent: 31,537,112". */
export function rsyncBytesSent(stats: string): number {
  const m = /Total bytes sent: ([\d,.]+)/.exec(stats);
  if (!m) throw new Error(`no "Total bytes sent" in rsync --stats output:\n${stats}`);
  return Number(m[1]!.replace(/[,.]/g, ''));
}

/** Every host's `current` points at releases/ID and holds the expected bytes of one changed file. */
export function checkLive(fleet: Fleet, deployTo: string, id: string, probe: { path: string; data: Buffer }): void {
  for (const h of fleet.hosts) {
    const root = join(h.root, deployTo.replace(/^\/srv\//, ''));
    const link = readlinkSync(join(root, 'current'));
    if (link !== `releases/${id}`) throw new Error(`${h.alias}: current -> ${link}, expected releases/${id}`);
    const got = readFileSync(join(root, 'current', probe.path));
    if (!got.equals(probe.data)) throw new Error(`${h.alias}: ${deployTo}/current/${probe.path} does not hold the expected content`);
  }
}
