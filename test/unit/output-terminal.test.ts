import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// A real terminal: the reporter (mode 'auto') inside a pseudo-terminal from util-linux `script`,
// fed a 3-host deploy in real time. The output module is compiled on its own into a scratch
// directory under node_modules/.cache (so `listr2` resolves), leaving dist/ to the build.

const root = fileURLToPath(new URL('../..', import.meta.url));
const demo = fileURLToPath(new URL('./fixtures/output-terminal-demo.mjs', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;
let outDir = '';

beforeAll(() => {
  if (!hasScript) return;
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  outDir = mkdtempSync(join(cache, 'shipyaml-output-'));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const flags = ['--outDir', outDir, '--rootDir', 'src', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022'];
  execFileSync(process.execPath, [tsc, ...flags, '--types', 'node', '--skipLibCheck', '--strict', 'src/output/index.ts'], { cwd: root, stdio: 'pipe' });
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('in a real terminal', () => {
  // Not skipped where script(1) is missing: that would pass without testing anything.
  test('has script(1) to run the CLI in a pseudo-terminal (util-linux / bsdutils)', () => {
    expect(hasScript, 'script(1) not found: install bsdutils (Debian) or util-linux').toBe(true);
  });

  test('listr2 draws the phases, the hosts, a slow upload with bytes and rate, and the summary', () => {
    // Without CI markers, so 'auto' picks the terminal renderer as it would for a person.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    const command = `stty cols 120 rows 50; exec '${process.execPath}' '${demo}' '${outDir}'`;
    const run = spawnSync('script', ['-qfec', command, '/dev/null'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const screen = run.stdout.replace(/\r\n/g, '\n');
    // listr2's default renderer: spinner frames and cursor control, not the line-by-line fallback.
    expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(screen).toContain('\x1b[?25l');
    const text = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toContain('deploy example to production: web1, web2, web3 (release 20260415-101500)');
    for (const phase of ['connect', 'lock', 'prepare', 'switch', 'after_switch', 'healthcheck', 'finish']) expect(text).toMatch(new RegExp(`✔ ${phase}  \\d`));
    expect(text).toMatch(/web\d {2}upload \d/);
    expect(text).toMatch(/transfer \d+\.\d MB \/ 30\.0 MB \(\d+%\) · \d+\.\d MB\/s/);
    expect(text).toMatch(/✔ deployed 20260415-101500 to 3 hosts\n {2}release {3}20260415-101500\n {2}hosts {5}3: web1, web2, web3 · live on 20260415-101500\n {2}phases {4}connect \d+ms · lock/);
    expect(text).toMatch(/ {2}total {5}\d+\.\ds\n/);
  }, 40_000);
});
