// The package's bin is dist/cli/bin.cjs, a CommonJS entry that answers --version without the ES
// module loader and hands everything else to dist/cli/main.js: both must answer alike.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string; bin: Record<string, string> };
const BIN = `${ROOT}/${pkg.bin.shipyaml}`;
const MAIN = `${ROOT}/dist/cli/main.js`;
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
  ])('runs main.js for `%s` in %s, with the same output and exit code', (args, dir) => {
    const argv = args.split(' ').filter(Boolean);
    const cwd = `${ROOT}/${dir}`;
    expect(run(BIN, argv, cwd)).toEqual(run(MAIN, argv, cwd));
  });

  // Node 22.1+ has module.enableCompileCache; the Node 20 that CI runs has not. Both branches
  // assert: run the suite with a newer node to check the other one.
  const hasCompileCache = typeof (createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  it(`${hasCompileCache ? 'keeps' : 'cannot keep (Node < 22.1)'} V8's compiled code on disk, in Node's cache directory, unless NODE_DISABLE_COMPILE_CACHE=1`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'shipyaml-compile-cache-'));
    try {
      const cacheIn = (dir: string) => join(dir, 'node-compile-cache');
      const entries = (dir: string) => (existsSync(cacheIn(dir)) ? readdirSync(cacheIn(dir), { recursive: true }).length : 0);
      const validate = (extra: Record<string, string>) =>
        spawnSync(process.execPath, [BIN, 'validate'], { cwd: `${ROOT}/examples/static-site`, env: { ...ENV, ...extra }, encoding: 'utf8', timeout: 60_000 });
      const off = join(tmp, 'off');
      expect(validate({ TMPDIR: off, NODE_DISABLE_COMPILE_CACHE: '1' }).status).toBe(0);
      expect(existsSync(cacheIn(off))).toBe(false);
      const on = join(tmp, 'on');
      const first = validate({ TMPDIR: on });
      expect(first.status).toBe(0);
      if (hasCompileCache) {
        expect(entries(on)).toBeGreaterThan(1); // a directory per Node version, a file per module
        const again = validate({ TMPDIR: on }); // read from the cache: the same answer
        expect([again.status, again.stdout.match(/is valid.*/)?.[0]]).toEqual([0, first.stdout.match(/is valid.*/)?.[0]]);
        expect(first.stdout).toContain('deploy.yml is valid');
      } else {
        expect(existsSync(cacheIn(on))).toBe(false);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
