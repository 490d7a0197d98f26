// The package's bin is dist/cli/bin.cjs, a CommonJS entry that answers --version itself and hands
// everything else to the bundled CLI, dist/cli/main.cjs, through V8's code cache (start.cjs): run
// directly, main.cjs must answer alike. The cache itself: test/cli/code-cache.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string; bin: Record<string, string> };
const BIN = `${ROOT}/${pkg.bin.shipyaml}`;
const MAIN = `${ROOT}/dist/cli/main.cjs`;
const ENV = { ...process.env, CI: 'true', FORCE_COLOR: '', NO_COLOR: '1' };

/** Exit code and output, with the clock times and durations of plain output blanked. */
function run(entry: string, args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd, env: ENV, encoding: 'utf8', timeout: 60_000 });
  const blank = (s: string) => s.replace(/\b\d\d:\d\d:\d\d\b/g, 'HH:MM:SS').replace(/\d+ms\b/g, 'Nms');
  return { code: r.status, stdout: blank(r.stdout), stderr: blank(r.stderr) };
}

describe('dist/cli/bin.cjs', () => {
  it('is the package bin', () => {
    expect(pkg.bin.shipyaml).toBe('dist/cli/bin.cjs');
  });

  it.each(['--version', '-V'])('answers %s with the package version', (flag) => {
    expect(run(BIN, [flag])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it.each([
    ['validate', 'examples/laravel-app'],
    ['validate', 'examples/static-site'],
    ['validate --no-such-option', 'examples/laravel-app'],
    ['--help', '.'],
    ['--version --json', '.'],
    ['', '.'],
  ])('runs main.cjs for `%s` in %s, with the same output and exit code', (args, dir) => {
    const argv = args.split(' ').filter(Boolean);
    const cwd = `${ROOT}/${dir}`;
    expect(run(BIN, argv, cwd)).toEqual(run(MAIN, argv, cwd));
  });
});
