// `npm run bench`: shipyaml against the hand-written deploy script (bench/baseline.sh) on real
// sshd hosts, as issue 5 asks. See bench/RESULTS.md ("Method") for what is measured and how.
//
//   npm run bench                     full: 1, 4 and 20 hosts, 5 runs each, profile at 4 and 20
//   BENCH_QUICK=1 npm run bench       quick: 1 and 4 hosts, 3 runs, no profile
//   BENCH_HOSTS=1,4 BENCH_RUNS=7 BENCH_PROFILE=1 BENCH_PARALLEL=20 …   overrides
//   BENCH_BUDGET_MIN=25   on a slow or busy machine, fewer runs (≥ 3 each) so the whole ends in time
//   BENCH_REPORT=bench/out/results.json   only rewrite the Markdown from saved results
//   npx tsc -p bench                      type-check the benchmark
//
// Full mode writes bench/RESULTS.md; other modes write bench/out/RESULTS-<mode>.md (or
// BENCH_RESULTS=path). Raw samples always go to bench/out/results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { startHosts, type Fleet } from '../test/harness/sshd.js';
import { machine } from './lib/machine.js';
import { serverCosts, sshdCalibration } from './lib/profile.js';
import { consoleTable, markdown, type BenchResult } from './lib/report.js';
import { PARALLEL, runDeployScenarios, runProfiled, runRoundTrips } from './lib/scenarios.js';
import { measureStartup } from './lib/startup.js';
import { createWorkspace } from './lib/workspace.js';

const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const custom = Boolean(env.BENCH_HOSTS || env.BENCH_RUNS || env.BENCH_PARALLEL);
const HOSTS = env.BENCH_HOSTS ? env.BENCH_HOSTS.split(',').map(Number) : QUICK ? [1, 4] : [1, 4, 20];
const RUNS = env.BENCH_RUNS ? Number(env.BENCH_RUNS) : QUICK ? 3 : 5;
const PROFILE = env.BENCH_PROFILE ? env.BENCH_PROFILE === '1' : !QUICK;
const MODE: BenchResult['mode'] = custom ? 'custom' : QUICK ? 'quick' : 'full';
const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'out');
const RESULTS = env.BENCH_RESULTS ?? (MODE === 'full' ? join(HERE, 'RESULTS.md') : join(OUT, `RESULTS-${MODE}.md`));

if (HOSTS.some((n) => !Number.isInteger(n) || n < 1 || n > 50)) throw new Error(`BENCH_HOSTS: 1..50 each (got ${env.BENCH_HOSTS})`);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) throw new Error(`BENCH_RUNS: 1..50 (got ${env.BENCH_RUNS})`);

const log = (s: string) => console.log(s);

/** The whole run stops starting new measurements after this (each scenario keeps ≥ 1 run). */
const BUDGET_MIN = Number(env.BENCH_BUDGET_MIN ?? (QUICK ? 10 : 25));
const startedAt = Date.now();
/** Each host count gets a share of the budget that grows with its size (1 + n/4), cumulatively. */
const weights = HOSTS.map((n) => 1 + n / 4);
const blockDeadline = (i: number) =>
  startedAt + (BUDGET_MIN * 60_000 * weights.slice(0, i + 1).reduce((a, b) => a + b, 0)) / weights.reduce((a, b) => a + b, 0);

/** What a signal must clean up: the running fleet (its sshds) and the work dir. */
const live: { fleet?: Fleet; remove?: () => void } = {};
const onSignal = (sig: NodeJS.Signals) => {
  log(`\n${sig}: stopping the sshd hosts and removing the work dir`);
  void (live.fleet?.stop() ?? Promise.resolve())
    .catch(() => {})
    .finally(() => {
      live.remove?.();
      process.exit(130);
    });
};

// BENCH_REPORT=bench/out/results.json: only rewrite the Markdown from saved results.
const REPORT_ONLY = env.BENCH_REPORT;

it.runIf(REPORT_ONLY)('report from saved results', () => {
  const result = JSON.parse(readFileSync(REPORT_ONLY!, 'utf8')) as BenchResult;
  const target = env.BENCH_RESULTS ?? (result.mode === 'full' ? join(HERE, 'RESULTS.md') : join(OUT, `RESULTS-${result.mode}.md`));
  writeFileSync(target, markdown(result));
  log(`${consoleTable(result)}\n\nwritten: ${target}`);
});

it.skipIf(REPORT_ONLY)(`shipyaml vs the hand-written script (${MODE}: hosts ${HOSTS.join('/')}, ${RUNS} runs)`, async () => {
  const t0 = Date.now();
  const m = machine();
  log(`shipyaml benchmark, ${MODE} mode: hosts ${HOSTS.join(', ')}; ${RUNS} runs per scenario; ${m.cpu}, ${m.cores} cores; load ${m.loadBefore}`);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const ws = createWorkspace();
  live.remove = ws.remove;
  log(`app: ${ws.a.files.length} files, ${(ws.a.bytes / 1e6).toFixed(1)} MB; variant: ${ws.changed.length} files changed; work dir ${ws.dir}`);
  const result: BenchResult = {
    mode: MODE,
    runs: RUNS,
    hostCounts: HOSTS,
    machine: m,
    loadAfter: '',
    durationS: 0,
    build: {
      files: ws.a.files.length,
      bytes: ws.a.bytes,
      changedFiles: ws.changed.length,
      changedBytes: ws.b.files.filter((f) => ws.changed.includes(f.path)).reduce((n, f) => n + f.data.length, 0),
    },
    samples: [],
    startup: [],
    roundTrips: [],
    profiles: [],
    serverCosts: [],
    calibration: [],
    parallel: PARALLEL ?? 10,
  };
  try {
    for (const [i, n] of HOSTS.entries()) {
      log(`\n${n} host(s): starting sshd`);
      let fleet: Fleet | undefined;
      try {
        fleet = await startHosts(n, { startTimeoutMs: 30_000 });
        live.fleet = fleet;
        result.samples.push(...(await runDeployScenarios(ws, fleet, RUNS, log, blockDeadline(i))));
        if (i === 0) {
          // deploy.yml of this fleet is in place: what `validate` reads.
          result.startup = await measureStartup(ws, Math.max(10, RUNS * 2), log);
          result.roundTrips.push({ hosts: n, rows: await runRoundTrips(ws, fleet, log) });
          result.calibration = await sshdCalibration(fleet, ws.buildA, ws.dir);
          log(`  sshd on this machine: ${result.calibration.map((c) => `${c.what.split(' (')[0]} ${c.serverCpuS.toFixed(2)} s CPU, ${c.serverFaults} faults`).join('; ')}`);
        }
        if (PROFILE && (n >= 4 || HOSTS.length === 1)) {
          for (const p of await runProfiled(ws, fleet, log)) result.profiles.push({ hosts: n, ...p });
          if (!result.serverCosts.length) result.serverCosts = await serverCosts(fleet);
        }
      } finally {
        await fleet?.stop();
        live.fleet = undefined;
      }
    }
  } finally {
    ws.remove();
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  result.durationS = (Date.now() - t0) / 1000;
  result.loadAfter = readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'results.json'), JSON.stringify(result, null, 1));
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, markdown(result));
  log(`\n${consoleTable(result)}\n\nwritten: ${RESULTS} (raw: ${join(OUT, 'results.json')}) in ${Math.round(result.durationS)} s`);
});
