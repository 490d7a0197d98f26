// The results as a Markdown page (bench/RESULTS.md) and a console table: medians, ratios
// shipyaml / script, each issue-5 target next to its figure, met or missed with the number.
import type { Machine } from './machine.js';
import { median } from './measure.js';
import { stepMedians, type ProfileSummary, type ServerCost, type SshdCalibration } from './profile.js';
import type { RoundTrips } from './scenarios.js';
import { WITH_CA, type StartupResult } from './startup.js';
import { FLOORS, TOOLS, type Floor, type Sample, type Tool } from './tools.js';

export interface BenchResult {
  mode: 'full' | 'quick' | 'custom';
  runs: number;
  hostCounts: number[];
  machine: Machine;
  loadAfter: string;
  durationS: number;
  build: { files: number; bytes: number; changedFiles: number; changedBytes: number };
  samples: Sample[];
  startup: StartupResult[];
  roundTrips: { hosts: number; rows: RoundTrips[] }[];
  profiles: { hosts: number; scenario: string; sample: Sample; summary: ProfileSummary; scanThreadMs?: number; script: Sample }[];
  serverCosts: ServerCost[];
  /** Optional: older results.json files lack it. */
  calibration?: SshdCalibration[];
  parallel: number;
}

const s3 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`;
const x = (r: number) => `${r.toFixed(2)}×`;
const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

function pick(samples: Sample[], tool: Tool, scenario: string, hosts: number): Sample[] {
  return samples.filter((s) => s.tool === tool && s.scenario === scenario && s.hosts === hosts);
}

const perHostAvg = (s: Sample, k: 'sessions' | 'connections') => s.perHost.reduce((n, h) => n + h[k], 0) / s.perHost.length;

export interface TargetRow {
  what: string;
  hosts: string;
  shipyaml: string;
  script: string;
  ratio: string;
  /** shipyaml / script in CPU seconds (this machine + all hosts): less sensitive to other load than wall time. */
  cpuRatio: string;
  target: string;
  status: string;
}

export function targetRows(r: BenchResult): TargetRow[] {
  const rows: TargetRow[] = [];
  const verdict = (ok: boolean, figure: string) => (ok ? `met (${figure})` : `**missed** (${figure})`);
  const scen = (scenario: string, target: number | undefined, hostsWithTarget: number[] | 'all') => {
    for (const n of r.hostCounts) {
      const a = pick(r.samples, 'shipyaml', scenario, n);
      const b = pick(r.samples, 'baseline', scenario, n);
      if (!a.length || !b.length) continue;
      const ma = median(a.map((s) => s.ms));
      const mbl = median(b.map((s) => s.ms));
      const ratio = ma / mbl;
      const cpu = (ss: Sample[]) => median(ss.map((x) => x.clientCpuS + x.serverCpuS));
      const cpuRatio = cpu(b) > 0 ? x(cpu(a) / cpu(b)) : '';
      const has = target !== undefined && (hostsWithTarget === 'all' || hostsWithTarget.includes(n));
      rows.push({
        what: scenario,
        hosts: String(n),
        shipyaml: s3(ma),
        script: s3(mbl),
        ratio: x(ratio),
        cpuRatio,
        target: has ? `≤ ${target}×` : '—',
        status: has ? verdict(ratio <= target!, x(ratio)) : '',
      });
    }
  };
  scen('first deploy', 0.8, 'all');
  scen('redeploy 1%', 0.3, 'all');
  for (const n of r.hostCounts) {
    const a = pick(r.samples, 'shipyaml', 'redeploy 1%', n).filter((s) => s.bytesPerHost);
    const b = pick(r.samples, 'baseline', 'redeploy 1%', n).filter((s) => s.bytesPerHost);
    if (!a.length) continue;
    const sent = median(a.flatMap((s) => s.bytesPerHost!));
    const frac = sent / r.build.bytes;
    rows.push({
      what: 'redeploy 1%: bytes sent per host',
      hosts: String(n),
      shipyaml: `${mb(sent)} (${pct(frac)} of the build)`,
      script: b.length ? mb(median(b.flatMap((s) => s.bytesPerHost!))) : '',
      ratio: '',
      cpuRatio: '',
      target: '< 5% of the build',
      status: verdict(frac < 0.05, pct(frac)),
    });
  }
  scen('rollback', 0.8, [1, 20]);
  // Beside each rollback row: what one connection and `true` per host cost here, nothing else;
  // and what the script's own rollback command costs sent over ssh2 instead of OpenSSH.
  const floorRows: Record<Floor, { what: string; status: (scriptMs: number) => string }> = {
    'ssh2 floor': { what: 'rollback floor: Node + ssh2 at its leanest (sockets dialed before ssh2 loads), one connection and `true` per host', status: () => 'no rollback over ssh2 can go under this' },
    'OpenSSH floor': { what: 'rollback floor: OpenSSH `ssh HOST true` per host, in parallel', status: (sm) => `the script's own floor (its rollback: ${s3(sm)})` },
    'ssh2 switch': {
      what: "the script's rollback over ssh2: Node + ssh2 running the script's own switch command per host (no config, host-key check, lock or state read)",
      status: () => "the script's work alone, over ssh2",
    },
  };
  for (const n of r.hostCounts) {
    const script = pick(r.samples, 'baseline', 'rollback', n);
    for (const tool of FLOORS) {
      const f = pick(r.samples, tool, 'rollback', n);
      if (!f.length || !script.length) continue;
      const fm = median(f.map((s) => s.ms));
      const sm = median(script.map((s) => s.ms));
      const overSsh2 = tool !== 'OpenSSH floor';
      rows.push({
        what: floorRows[tool].what,
        hosts: String(n),
        shipyaml: overSsh2 ? s3(fm) : '',
        script: overSsh2 ? s3(sm) : s3(fm),
        ratio: overSsh2 ? x(fm / sm) : '',
        cpuRatio: '',
        target: '',
        status: floorRows[tool].status(sm),
      });
    }
  }
  const st = (name: string) => r.startup.find((s) => s.name === name);
  for (const [name, limit] of [['shipyaml --version', 100], ['shipyaml validate', 250]] as const) {
    const m = st(name);
    if (!m) continue;
    const ms = median(m.ms);
    rows.push({ what: `\`${name.replace('shipyaml ', 'shipyaml ')}\``, hosts: '—', shipyaml: `${ms.toFixed(0)} ms`, script: '', ratio: '', cpuRatio: '', target: `< ${limit} ms`, status: verdict(ms < limit, `${ms.toFixed(0)} ms`) });
  }
  const floor = st('node -e 0 (floor)');
  if (floor) rows.push({ what: '`node -e 0` (the floor for any Node CLI here)', hosts: '—', shipyaml: `${median(floor.ms).toFixed(0)} ms`, script: '', ratio: '', cpuRatio: '', target: '', status: '' });
  // The same three with the machine's NODE_EXTRA_CA_CERTS, which every Node process pays at start.
  for (const name of ['shipyaml --version', 'shipyaml validate', 'node -e 0 (floor)']) {
    const m = st(name + WITH_CA);
    if (m) rows.push({ what: `\`${name.replace(' (floor)', '')}\` with this machine's NODE_EXTRA_CA_CERTS`, hosts: '—', shipyaml: `${median(m.ms).toFixed(0)} ms`, script: '', ratio: '', cpuRatio: '', target: '', status: '' });
  }
  const maxN = Math.max(...r.hostCounts);
  const deploys = r.samples.filter((s) => s.tool === 'shipyaml' && s.hosts === maxN && s.maxRssKB !== undefined);
  if (deploys.length) {
    const peak = Math.max(...deploys.map((s) => s.maxRssKB!)) / 1024;
    const med = median(deploys.filter((s) => s.scenario === 'first deploy').map((s) => s.maxRssKB!)) / 1024;
    rows.push({
      what: 'peak memory (RSS) of shipyaml',
      hosts: String(maxN),
      shipyaml: `${peak.toFixed(0)} MB max (first deploy median ${med.toFixed(0)} MB)`,
      script: '',
      ratio: '',
      cpuRatio: '',
      target: maxN === 20 ? '< 150 MB' : '< 150 MB (at 20 hosts)',
      status: maxN === 20 ? verdict(peak < 150, `${peak.toFixed(0)} MB`) : `not measured at 20 hosts (${peak.toFixed(0)} MB at ${maxN})`,
    });
  }
  for (const rt of r.roundTrips) {
    const ship = rt.rows.filter((x) => x.tool === 'shipyaml');
    const script = rt.rows.filter((x) => x.tool === 'baseline');
    const fmt = (rows: RoundTrips[]) => rows.map((x) => `${x.redeploy.sessions}`).join(' / ');
    const flat = new Set(ship.map((x) => x.redeploy.sessions)).size === 1 && new Set(ship.map((x) => x.first.sessions)).size === 1;
    rows.push({
      what: `exec sessions per host per deploy: ${ship.map((x) => x.shape).join(' / ')}`,
      hosts: String(rt.hosts),
      shipyaml: fmt(ship),
      script: fmt(script),
      ratio: '',
      cpuRatio: '',
      target: 'do not grow with shared paths or hooks',
      status: verdict(flat, flat ? `${ship[0]!.redeploy.sessions} each` : fmt(ship)),
    });
  }
  return rows;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function consoleTable(r: BenchResult): string {
  return targetRows(r)
    .map((t) => `${t.what.slice(0, 44).padEnd(44)} ${t.hosts.padStart(3)}  ${t.shipyaml.slice(0, 30).padEnd(30)} ${t.script.padEnd(10)} ${t.ratio.padEnd(7)} ${t.cpuRatio.padEnd(7)} ${t.target.slice(0, 22).padEnd(22)} ${t.status}`)
    .join('\n');
}

export function markdown(r: BenchResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push('# Benchmark results');
  out.push('');
  out.push(
    `Written by \`npm run bench\` (bench/run.ts; ${r.mode} mode: ${r.runs} runs per scenario, hosts ${r.hostCounts.join(' / ')}) on ${m.date.slice(0, 16).replace('T', ' ')} UTC, in ${Math.round(r.durationS)} s. ` +
      'shipyaml and the hand-written script (bench/baseline.sh) run alternately against the same real OpenSSH sshd hosts on 127.0.0.1 (test/harness), deploy roots on tmpfs. Figures are medians.',
  );
  out.push('');
  out.push(`**shipyaml:** ${m.shipyaml}, built by \`npm run bench\`.`);
  out.push('');
  out.push(`**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB RAM, Linux ${m.kernel}; Node ${m.node}; ${m.openssh}; ${m.rsync}. Load average before / after: ${m.loadBefore} / ${r.loadAfter}.`);
  if (r.startup.some((s) => s.name.endsWith(WITH_CA))) {
    out.push('');
    out.push(
      '**Environment:** this machine sets NODE_EXTRA_CA_CERTS (a CA bundle), which Node 20 reads and parses when any Node process starts, ~45 ms here, before a line of our code runs. shipyaml makes no TLS connection, so every shipyaml run here is measured without it; the startup rows show both.',
    );
  }
  out.push('');
  out.push(
    `**App:** ${r.build.files} files, ${mb(r.build.bytes)} (seeded PRNG: text files of 200 B–64 KB in ~150 directories, five 1–5 MB binaries, .env, storage/, an executable); the variant changes ${r.build.changedFiles} files (${pct(r.build.changedFiles / r.build.files)}; half same-size edits), ${mb(r.build.changedBytes)}. ` +
      `Both deploy with shared .env and storage/, one no-op migrate hook (\`true\` in the release), keep 5. shipyaml uses its defaults (parallel ${r.parallel}).`,
  );
  out.push('');
  const machineCpu = r.samples.reduce((n, s) => n + s.machineCpuS, 0);
  const otherCpu = r.samples.reduce((n, s) => n + s.otherCpuS, 0);
  const noisy = machineCpu > 0 ? otherCpu / machineCpu : 0;
  out.push(
    `**Noise:** ${pct(noisy)} of the machine's CPU during the timed runs went to other work (see "other CPU s" below)` +
      (noisy > 0.1 ? ' — the machine was shared while this ran: ratios are indicative, absolute times inflated.' : '.'),
  );
  out.push('');
  out.push('## Against the targets of issue 5');
  out.push('');
  out.push(table(['what', 'hosts', 'shipyaml', 'script', 'ratio (wall)', 'ratio (CPU)', 'target', 'status'], targetRows(r).map((t) => [t.what, t.hosts, t.shipyaml, t.script, t.ratio, t.cpuRatio, t.target, t.status])));
  out.push('');
  out.push('ratio (CPU): shipyaml / script in CPU seconds spent on this machine and on all hosts together — what decides wall time once the 2 cores are saturated (20 hosts), and much less disturbed by other work than wall time.');
  out.push('');
  out.push('## Every scenario');
  out.push('');
  out.push(
    'Per tool, scenario and host count: wall time (median, min–max), exec sessions and connections per host (sshd log: "Starting session:" and "Accepted publickey" lines), ' +
      'CPU seconds of the tool on this machine (shipyaml: the node process; script: bash, rsync, ssh and the ControlMasters), of all sshd trees together (sshd, sh, tar, rsync, cp… on the hosts), ' +
      'and of anything else on the machine during the run (other work: a sign of noise), bytes sent per host (shipyaml: --json transfer events; script: rsync --stats "Total bytes sent"), peak RSS.',
  );
  out.push('');
  const rows: string[][] = [];
  for (const scenario of ['first deploy', 'redeploy 1%', 'rollback']) {
    for (const n of r.hostCounts) {
      for (const tool of TOOLS) {
        const ss = pick(r.samples, tool, scenario, n);
        if (!ss.length) continue;
        const ms = ss.map((s) => s.ms);
        const bytes = ss.filter((s) => s.bytesPerHost).flatMap((s) => s.bytesPerHost!);
        rows.push([
          scenario,
          String(n),
          tool === 'baseline' ? 'script' : tool,
          `${s3(median(ms))} (${(Math.min(...ms) / 1000).toFixed(2)}–${(Math.max(...ms) / 1000).toFixed(2)})`,
          median(ss.map((s) => perHostAvg(s, 'sessions'))).toFixed(1),
          median(ss.map((s) => perHostAvg(s, 'connections'))).toFixed(1),
          median(ss.map((s) => s.clientCpuS)).toFixed(2),
          median(ss.map((s) => s.serverCpuS)).toFixed(2),
          median(ss.map((s) => s.otherCpuS)).toFixed(2),
          bytes.length ? mb(median(bytes)) : '—',
          tool === 'shipyaml' ? `${(Math.max(...ss.map((s) => s.maxRssKB ?? 0)) / 1024).toFixed(0)} MB` : '—',
          String(ss.length),
        ]);
      }
    }
  }
  out.push(table(['scenario', 'hosts', 'tool', 'wall', 'execs/host', 'conns/host', 'client CPU s', 'server CPU s', 'other CPU s', 'sent/host', 'peak RSS', 'runs'], rows));
  out.push('');
  const script1 = pick(r.samples, 'baseline', 'first deploy', 1);
  const REF: Record<number, number> = { 1: 0.7, 4: 1.5, 20: 5.4 };
  const refs = r.hostCounts.filter((n) => REF[n] && pick(r.samples, 'baseline', 'first deploy', n).length);
  if (script1.length && refs.length) {
    out.push(
      `For scale: issue 5 quotes the same kind of script at ${refs.map((n) => `${REF[n]} s`).join(' / ')} for a first deploy to ${refs.join(' / ')} hosts; here it took ${refs.map((n) => s3(median(pick(r.samples, 'baseline', 'first deploy', n).map((x) => x.ms)))).join(' / ')}. ` +
        'The ratios compare the two tools within this run; the sshd figures below show where this machine is slower.',
    );
    out.push('');
  }
  if (r.calibration?.length) {
    out.push('What moving the build through OpenSSH costs the host\'s sshd here (one host, median of 3). Both tools upload into this same sshd; its receive cost is in "server CPU" above (the profile below splits it by program):');
    out.push('');
    out.push(table(['OpenSSH client → one host', 'wall', 'sshd CPU', 'sshd minor page faults'], r.calibration.map((c) => [c.what, `${c.ms.toFixed(0)} ms`, `${c.serverCpuS.toFixed(2)} s`, String(c.serverFaults)])));
    out.push('');
  }
  out.push('Startup, each run separately (median of the runs, peak RSS):');
  out.push('');
  out.push(table(['command', 'median', 'min–max', 'peak RSS', 'runs'], r.startup.map((s) => [`\`${s.name}\``, `${median(s.ms).toFixed(0)} ms`, `${Math.min(...s.ms).toFixed(0)}–${Math.max(...s.ms).toFixed(0)} ms`, `${(Math.max(...s.maxRssKB) / 1024).toFixed(0)} MB`, String(s.ms.length)])));
  out.push('');
  out.push('## Exec sessions per host per deploy');
  out.push('');
  out.push('Exec sessions and connections per host, first deploy / redeploy, with 1 or 10 shared paths and 1 or 10 hooks. shipyaml batches each phase into one remote script, one round trip per phase: lock, prepare, switch, finish. Lock, switch and finish run one after another in one held shell (src/transport/held-shell.ts), so its 4 round trips take 2 sessions; the upload streams on the other. The script runs one ssh command per step (over one ControlMaster connection).');
  out.push('');
  const rt: string[][] = [];
  for (const g of r.roundTrips) {
    for (const row of g.rows) rt.push([String(g.hosts), row.shape, row.tool === 'baseline' ? 'script' : row.tool, `${row.first.sessions} / ${row.redeploy.sessions}`, `${row.first.connections} / ${row.redeploy.connections}`]);
  }
  out.push(table(['hosts', 'config', 'tool', 'execs per host', 'connections per host'], rt));
  out.push('');
  if (r.profiles.length) {
    out.push('## Where shipyaml\'s time goes');
    out.push('');
    out.push('One extra deploy per case, not in the medians above, with `node --cpu-prof` (which slows the client a little). Phases and steps come from the --json events (steps: median over hosts, max in brackets); the client profile is self time by area.');
    out.push('');
    for (const p of r.profiles) {
      const s = p.sample;
      out.push(`### ${p.scenario}, ${p.hosts} hosts: ${s3(s.ms)} wall; client CPU ${s.clientCpuS.toFixed(2)} s, servers ${s.serverCpuS.toFixed(2)} s (${(s.serverCpuS / p.hosts).toFixed(2)} s per host), other ${s.otherCpuS.toFixed(2)} s`);
      out.push('');
      out.push(`Timeline (from the --json event times, spawn to exit): ${(s.timeline ?? []).map((t) => `${t.span} ${t.ms} ms`).join(' → ')}.`);
      out.push('');
      const progs = (x: Sample) => (x.serverPrograms ?? []).filter((p) => p.cpuS >= 0.005).map((p) => `${p.program} ${p.cpuS.toFixed(2)}`).join(', ');
      out.push(`Server CPU by program, all ${p.hosts} hosts (s): shipyaml ${progs(s)}. The script, same scenario (${s3(p.script.ms)}): ${progs(p.script)}; client ${p.script.clientCpuS.toFixed(2)} s.`);
      out.push('');
      out.push(`Steps: ${stepMedians(s).map((st) => `${st.phase}/${st.step} ${st.ms.toFixed(0)} (${st.max.toFixed(0)}) ms`).join(', ')}.`);
      out.push('');
      const total = p.summary.byArea.reduce((n, a) => n + a.ms, 0);
      const scan = p.scanThreadMs !== undefined ? ` The build scan's worker thread beside it was busy ${p.scanThreadMs.toFixed(0)} ms (walk, digest cache, hashing).` : '';
      out.push(`Client profile, main thread (${(p.summary.totalMs / 1000).toFixed(2)} s): ` + p.summary.byArea.slice(0, 10).map((a) => `${a.area} ${a.ms.toFixed(0)} ms (${pct(a.ms / total)})`).join(', ') + '.' + scan);
      out.push('');
      out.push(table(['top functions (self)', 'where', 'ms'], p.summary.top.slice(0, 10).map((f) => [`\`${f.fn}\``, f.where ? `\`${f.where}\`` : f.area, f.ms.toFixed(0)])));
      out.push('');
    }
  }
  if (r.serverCosts.length) {
    out.push('### What the server-side commands cost alone (one host, idle machine, tmpfs, median of 3)');
    out.push('');
    out.push(table(['command', 'wall', 'CPU'], r.serverCosts.map((c) => [`${c.what}: \`${c.command}\``, `${c.realMs.toFixed(0)} ms`, `${c.cpuMs.toFixed(0)} ms`])));
    out.push('');
  }
  out.push('## Method');
  out.push('');
  out.push(
    [
      '- `npm run bench` builds, then runs bench/run.ts through vitest (bench/vitest.config.ts; not part of `npm test`). `BENCH_QUICK=1`: 1 and 4 hosts, 3 runs. `BENCH_HOSTS=1,4`, `BENCH_RUNS=7`, `BENCH_PROFILE=0|1`, `BENCH_PARALLEL=N` override; `BENCH_BUDGET_MIN` (default 25) caps the time: on a slow or busy machine each scenario gets fewer runs (at least 3; the runs column says how many). `SHIPYAML_BENCH_KEEP=1` keeps the work dir; raw samples go to bench/out/results.json, and `BENCH_REPORT=that-file` rewrites this page from them.',
      '- The CLI measured is a copy of dist/ taken at start (with schema/ and package.json), so a rebuild by someone else mid-run changes nothing.',
      '- Alternating: every run, who goes first swaps. First deploy: every run starts from an empty deploy root (untimed `shipyaml setup`; for the script, releases/ and shared/ made directly). Redeploy: the 1% variant and the original alternate, so each redeploy differs from the previous upload by the same 20 files; after each redeploy both roll back (shipyaml: `rollback`; script: the one-liner to the release before the newest).',
      '- Build digests (src/transfer/digest-cache.ts): shipyaml keeps them in the workspace (XDG_CACHE_HOME), emptied before every first deploy, so a first deploy reads and hashes every file, as for a build never deployed. The CLI\'s compiled code (src/cli/code-cache.ts) is kept there too and not emptied: the first run of each command compiles the bundle and writes it, the others read it, as for anyone who has run shipyaml before. A redeploy finds its variant\'s digests from that variant\'s previous redeploy (all but the first redeploy of each): the builds are not rewritten between runs, as files a person did not touch are not, so it reads none, where a person\'s edit would have it read the 20 changed files (~1 ms).',
      '- Before each timed run the benchmark waits (bounded) for the machine to be idle; "other CPU s" shows what still ran alongside. On a shared machine, read ratios from runs where it is near 0.',
      '- The script: bench/baseline.sh — per host in parallel, ssh with ControlMaster (ControlPersist) over the harness ssh config (host keys verified), `-c aes128-gcm@openssh.com` (shipyaml\'s first cipher), Compression off; mkdir, `rsync -a --delete --stats` into a fresh releases/ID, one ssh per shared link and per hook, `ln -sfn … current.new && mv -T current.new current`, `ls -1 releases | sort | head -n -5 | xargs rm -rf`. The hosts disable sntrup761 kex for both (ssh2 lacks it).',
      '- Rollback floors, run after each rollback pair (order alternating): `node bench/floor-ssh2.cjs` (Node at its leanest: CommonJS, one TCP connection per host dialed on its first lines, all at once, before ssh2 loads; then `true` in each: no config, no host-key check, nothing else) and `baseline.sh floor`: the script\'s own ssh command per host in parallel, running `true` (OpenSSH, no ControlMaster). A rollback is that plus a lock, a state read and the switch, so neither tool goes under its floor. Third, `node bench/floor-ssh2.cjs --run "cd /srv/classic && ln -sfn releases/ID current.new && mv -T current.new current"`: the script\'s own rollback command per host over ssh2, to the release the script\'s rollback just went to (so nothing changes): what the script\'s work costs over ssh2, without any of shipyaml\'s config, host-key check, lock or state read.',
      '- Peak memory: /usr/bin/time "Maximum resident set size" of the node process. Exec sessions: sshd LogLevel VERBOSE logs one "Starting session: command …" line per exec channel (shipyaml\'s held shell is one, however many round trips it runs).',
    ].join('\n'),
  );
  out.push('');
  return out.join('\n');
}
