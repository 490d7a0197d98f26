// How fast the command line answers: `shipyaml --version` and `shipyaml validate` (in the app
// directory), next to `node -e 0` — the floor no Node CLI goes under on this machine.
import { CLI_ENV, CLI_ENV_WITH_CA } from './cli-env.js';
import { median, timed, waitQuiet } from './measure.js';
import type { Workspace } from './workspace.js';

export interface StartupResult {
  name: string;
  ms: number[];
  maxRssKB: number[];
}

/** Suffix of the startup rows measured with the machine's NODE_EXTRA_CA_CERTS (see cli-env.ts). */
export const WITH_CA = ' (with NODE_EXTRA_CA_CERTS)';

export async function measureStartup(ws: Workspace, runs: number, log: (s: string) => void): Promise<StartupResult[]> {
  const commands: [string, string[]][] = [
    ['node -e 0 (floor)', [process.execPath, '-e', '0']],
    ['shipyaml --version', [process.execPath, ws.cli, '--version']],
    ['shipyaml validate', [process.execPath, ws.cli, 'validate']],
  ];
  const cases: [string, string[], NodeJS.ProcessEnv][] = commands.map(([name, argv]) => [name, argv, CLI_ENV]);
  if (CLI_ENV_WITH_CA) for (const [name, argv] of commands) cases.push([name + WITH_CA, argv, CLI_ENV_WITH_CA]);
  const results = cases.map(([name]) => ({ name, ms: [] as number[], maxRssKB: [] as number[] }));
  // Warm the page cache once, untimed.
  for (const [, argv, env] of cases) await timed(argv, { cwd: ws.app, env, timeoutMs: 30_000 });
  for (let run = 0; run < runs; run++) {
    for (const [i, [name, argv, env]] of cases.entries()) {
      await waitQuiet(2_000);
      const r = await timed(argv, { cwd: ws.app, env, timeoutMs: 30_000, usage: true });
      if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr}`);
      results[i]!.ms.push(r.ms);
      results[i]!.maxRssKB.push(r.maxRssKB ?? 0);
    }
  }
  for (const r of results) log(`  ${r.name.padEnd(20)} median ${median(r.ms).toFixed(0)} ms over ${r.ms.length} runs`);
  return results;
}
