// Where shipyaml's time goes: a --cpu-prof of the CLI (client side) summarised by package and by
// function, the --json phase and step timings, and what the same server-side commands cost on a
// host when measured alone.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Fleet } from '../../test/harness/sshd.js';
import { median, settle, timed, treeCpuS } from './measure.js';
import type { Sample } from './tools.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time per area: ssh2, shipyaml/<dir>, node:fs, (garbage collector), (idle)… */
  byArea: { area: string; ms: number }[];
  top: { fn: string; where: string; area: string; ms: number }[];
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  const dist = /(?:^|\/)dist\/([^/]+)\//.exec(url);
  if (dist) return `shipyaml/${dist[1]}`;
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m?.[1] ?? url}`;
  }
  return url.replace(/^file:\/\//, '');
}

/**
 * The CLI is one bundle (scripts/bundle.mjs): a frame's url is dist/cli/main.cjs for ssh2's code
 * and ours alike. The bundle keeps a `// node_modules/…` or `// dist/…` line where each module
 * begins, so a line number tells which module it is in.
 */
const regionsOf = new Map<string, { line: number; path: string }[]>();
function moduleOf(url: string, line: number): string | undefined {
  if (!url.endsWith('.cjs')) return undefined;
  let regions = regionsOf.get(url);
  if (!regions) {
    regions = [];
    try {
      readFileSync(url.replace(/^file:\/\//, ''), 'latin1')
        .split('\n')
        .forEach((text, i) => {
          const m = /^\/\/ ((?:node_modules|dist)\/\S+)$/.exec(text);
          if (m) regions!.push({ line: i, path: m[1]! });
        });
    } catch {
      // not there any more: frames stay attributed to the bundle
    }
    regionsOf.set(url, regions);
  }
  let found: string | undefined;
  for (const r of regions) {
    if (r.line > line) break;
    found = r.path;
  }
  return found;
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: attribute it to sample i's node.
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; area: string; ms: number }>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url: frameUrl, lineNumber } = n.callFrame;
    const inBundle = moduleOf(frameUrl, lineNumber);
    const url = inBundle ?? frameUrl;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + us / 1000);
    const where = inBundle ? `${inBundle} (main.cjs:${lineNumber + 1})` : url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const f = fns.get(key) ?? { fn: functionName || '(anonymous)', where, area: a, ms: 0 };
    f.ms += us / 1000;
    fns.set(key, f);
  }
  return {
    file,
    totalMs: (p.endTime - p.startTime) / 1000,
    byArea: [...areas].map(([a, ms]) => ({ area: a, ms })).sort((x, y) => y.ms - x.ms),
    top: [...fns.values()].sort((x, y) => y.ms - x.ms).slice(0, top),
  };
}

/**
 * The profiles node --cpu-prof wrote into `dir` for one process: one per thread, named
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile. Thread 0 is the main thread; the others are
 * workers (the build scan's). Taking the newest file by name took the scan's worker.
 */
export function threadProfiles(dir: string): { main: string; workers: string[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const thread = (f: string) => f.split('.').at(-3);
  const main = files.find((f) => thread(f) === '0');
  if (!main) throw new Error(`no main-thread .cpuprofile in ${dir}: ${files.join(', ') || 'none'}`);
  return { main: join(dir, main), workers: files.filter((f) => f !== main).map((f) => join(dir, f)) };
}

/** Milliseconds a thread's profile spent on anything but (idle). */
export function busyMs(s: ProfileSummary): number {
  return s.byArea.filter((a) => a.area !== '(idle)').reduce((n, a) => n + a.ms, 0);
}

/** Median over hosts of each step's ms (from the --json step events), in the order they ran. */
export function stepMedians(s: Sample): { phase: string; step: string; ms: number; max: number }[] {
  const groups = new Map<string, { phase: string; step: string; ms: number[] }>();
  for (const st of s.steps ?? []) {
    const key = `${st.phase}/${st.step}`;
    const g = groups.get(key) ?? { phase: st.phase, step: st.step, ms: [] };
    g.ms.push(st.ms);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ phase: g.phase, step: g.step, ms: median(g.ms), max: Math.max(...g.ms) }));
}

export interface ServerCost {
  what: string;
  command: string;
  realMs: number;
  cpuMs: number;
}

/**
 * What shipyaml's server-side commands cost on one host, alone (no transfer, no other host
 * busy): run inside the host's namespace on its tmpfs /srv, 3 times each, median.
 * Needs a deployed /srv/app (its .shipyaml/cache is the 2,000-file tree).
 */
export async function serverCosts(fleet: Fleet): Promise<ServerCost[]> {
  const cache = '/srv/app/.shipyaml/cache';
  // [what, untimed setup, timed command]
  const cases: [string, string, string][] = [
    ['extract the tar stream (tar -xof -)', `tar -cf /tmp/bench-pack.tar -C ${cache} . && rm -rf /srv/bx && mkdir /srv/bx`, `tar -xof - -C /srv/bx < /tmp/bench-pack.tar`],
    ['count files (find -type f | wc -l)', ':', `cd ${cache} && find . -type f | wc -l`],
    ['md5 of every file, sorted (find -exec md5sum + | sort)', ':', `cd ${cache} && find . -type f -exec md5sum {} + | LC_ALL=C sort`],
    ['list executables (find -perm -100 | sort)', ':', `cd ${cache} && find . -type f -perm -100 | LC_ALL=C sort`],
    ['copy the cache into a release (cp -RPp)', 'rm -rf /srv/bc && mkdir /srv/bc', `cp -RPp ${cache}/. /srv/bc/`],
    ['hard-link copy, for comparison (cp -al)', 'rm -rf /srv/bl', `cp -al ${cache} /srv/bl`],
    ['remove a release (rm -rf)', `rm -rf /srv/br && cp -RPp ${cache} /srv/br`, 'rm -rf /srv/br'],
    ['rsync -a into a fresh dir, locally (the script\'s receiver + sender)', 'rm -rf /srv/bs', `rsync -a ${cache}/ /srv/bs/`],
    ['sh startup (sh -c true)', ':', 'sh -c true'],
  ];
  const out: ServerCost[] = [];
  for (const [what, setup, command] of cases) {
    const real: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      const prep = await fleet.run(0, setup, 60_000);
      if (prep.code !== 0) throw new Error(`server cost "${what}" setup failed: ${prep.stderr}`);
      // bash's `time` inside the host's namespace: real, user and sys of the command alone.
      const r = await fleet.run(0, `bash -c 'TIMEFORMAT="%R %U %S"; { time ( eval "$1" >/dev/null 2>&1 ); } 2>&1' bash '${command}' | tail -n 1`, 60_000);
      const [re, us, sy] = r.stdout.trim().split(/\s+/).map(Number);
      if (re === undefined || Number.isNaN(re) || r.stdout.trim() === '') throw new Error(`server cost "${what}": ${r.stdout} ${r.stderr}`);
      real.push(re * 1000);
      cpu.push(((us ?? 0) + (sy ?? 0)) * 1000);
    }
    out.push({ what, command, realMs: median(real), cpuMs: median(cpu) });
  }
  await fleet.run(0, 'rm -rf /srv/bx /srv/bc /srv/bl /srv/bs /srv/br /tmp/bench-pack.tar');
  return out;
}

export interface SshdCalibration {
  what: string;
  ms: number;
  serverCpuS: number;
  serverFaults: number;
}

/** Minor page faults of a process and the children it reaped. */
function faults(pid: number): number {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return Number(f[7]) + Number(f[8]);
  } catch {
    return 0;
  }
}

/**
 * What moving the build's bytes through OpenSSH costs the host's sshd on this machine, each way
 * (median of 3). Receiving is the dear direction when the command reads slower than data
 * arrives (sshd's channel buffer grows and is reallocated); on a VM where page faults are dear
 * it shows as tens of thousands of faults. shipyaml's uploads land in the same sshd.
 */
export async function sshdCalibration(fleet: Fleet, buildDir: string, workDir: string): Promise<SshdCalibration[]> {
  const h = fleet.hosts[0]!;
  const pack = join(workDir, 'calibration.tar');
  await timed(['tar', '-cf', pack, '-C', buildDir, '.']);
  const ssh = ['ssh', '-F', fleet.sshConfig, '-o', 'BatchMode=yes', '-o', 'Compression=no', '-c', 'aes128-gcm@openssh.com', h.alias];
  const cases: [string, string[]][] = [
    ['connect + `true`', [...ssh, 'true']],
    ['upload the build as tar (`ssh host \'cat >/dev/null\' < build.tar`)', ['sh', '-c', `exec "$@" 'cat >/dev/null' < '${pack}'`, 'sh', ...ssh]],
    ['download as many bytes (`ssh host \'head -c SIZE /dev/zero\' >/dev/null`)', ['sh', '-c', `exec "$@" 'head -c ${statSync(pack).size} /dev/zero' > /dev/null`, 'sh', ...ssh]],
  ];
  const out: SshdCalibration[] = [];
  for (const [what, argv] of cases) {
    const ms: number[] = [];
    const cpu: number[] = [];
    const flt: number[] = [];
    for (let i = 0; i < 3; i++) {
      await settle(fleet.hosts);
      const c0 = treeCpuS(h.pid);
      const f0 = faults(h.pid);
      const r = await timed(argv, { timeoutMs: 60_000 });
      if (r.code !== 0) throw new Error(`calibration "${what}" failed: ${r.stderr}`);
      await settle(fleet.hosts);
      ms.push(r.ms);
      cpu.push(treeCpuS(h.pid) - c0);
      flt.push(faults(h.pid) - f0);
    }
    out.push({ what, ms: median(ms), serverCpuS: median(cpu), serverFaults: median(flt) });
  }
  rmSync(pack, { force: true });
  return out;
}
