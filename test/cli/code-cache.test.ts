// The code cache (src/cli/code-cache.ts) as the built bin uses it: dist/cli/start.cjs runs a small
// CommonJS fixture as it runs main.cjs, then the real CLI. Which file is which: test/unit/code-cache.test.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START = join(ROOT, 'dist/cli/start.cjs');
const BIN = join(ROOT, 'dist/cli/bin.cjs');

let dir: string;
let cacheHome: string;
const v8Dir = () => join(cacheHome, 'shipyaml', 'v8');
const cached = (command: string) => (existsSync(v8Dir()) ? readdirSync(v8Dir()).filter((n) => n.startsWith(`${command}-`)) : []);
const stamp = (file: string) => {
  const st = statSync(file);
  return { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size };
};

// What a bundle needs from the wrapper: its own file and directory, require relative to it,
// module.exports, and an import() that works from cached code (src/import-module.ts; the
// config loader imports a shipyaml.config.mjs with it).
const FIXTURE = `
const { pathToFileURL } = require('node:url');
const helper = require('./helper.cjs');
module.exports.ok = true;
(async () => {
  const importOutside = globalThis[Symbol.for('shipyaml.importOutsideBundle')] ?? ((s) => import(s)); // as import-module.ts
  const conf = await importOutside(pathToFileURL(require('node:path').join(__dirname, 'conf.mjs')).href);
  process.stdout.write(JSON.stringify({ file: __filename, dir: __dirname, helper, conf: conf.default, exportsAreModuleExports: exports === module.exports }) + '\\n');
  process.exitCode = Number(process.env.FIXTURE_EXIT || 0);
})();
`;

function runFixture(command: string, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(START)}).start(${JSON.stringify(join(dir, 'main.cjs'))})`, 'shipyaml', command], {
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...extraEnv },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipyaml-code-cache-'));
  cacheHome = join(dir, 'cache');
  writeFileSync(join(dir, 'main.cjs'), FIXTURE);
  writeFileSync(join(dir, 'helper.cjs'), 'module.exports = "helped";\n');
  writeFileSync(join(dir, 'conf.mjs'), 'export default { from: "mjs" };\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('start.cjs with the code cache', () => {
  const expected = () => ({ code: 0, out: `${JSON.stringify({ file: join(dir, 'main.cjs'), dir, helper: 'helped', conf: { from: 'mjs' }, exportsAreModuleExports: true })}\n`, err: '' });

  it('runs the bundle as Node would, keeps its compiled code after a run that exits 0, then only reads it', () => {
    expect(runFixture('validate')).toEqual(expected());
    const [file, ...more] = cached('validate');
    expect(file).toBeDefined();
    expect(more).toEqual([]);
    const first = stamp(join(v8Dir(), file!));
    expect(first.size).toBeGreaterThan(0);
    expect((statSync(v8Dir()).mode & 0o777).toString(8)).toBe('700');
    // Read, and accepted by V8: a rejected or missing one would be written again.
    expect(runFixture('validate')).toEqual(expected());
    expect(stamp(join(v8Dir(), file!))).toEqual(first);
    expect(cached('validate')).toEqual([file]);
  });

  /** Runs `command` once, then garbles the code it kept: where it is, and what it now holds. */
  const keptThenGarbled = (command: string) => {
    runFixture(command);
    const [file] = cached(command);
    const path = join(v8Dir(), file!);
    const garbled = Buffer.alloc(readFileSync(path).length, 0x5a);
    writeFileSync(path, garbled);
    return { path, garbled };
  };

  it('writes a garbled file again, and runs the same meanwhile', () => {
    const { path, garbled } = keptThenGarbled('rollback');
    expect(runFixture('rollback')).toEqual(expected());
    expect(readFileSync(path).equals(garbled)).toBe(false); // compiled again, and kept
    const rewritten = stamp(path);
    expect(runFixture('rollback')).toEqual(expected());
    expect(stamp(path)).toEqual(rewritten); // and that one V8 takes
  });

  it('keeps nothing from a run that failed, and nothing with NODE_DISABLE_COMPILE_CACHE=1', () => {
    expect(runFixture('deploy', { FIXTURE_EXIT: '3' })).toEqual({ ...expected(), code: 3 });
    expect(cached('deploy')).toEqual([]);
    expect(runFixture('plan', { NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(expected());
    expect(existsSync(v8Dir())).toBe(false);
  });

  it('neither reads nor writes code in a directory others can write to', () => {
    const { path, garbled } = keptThenGarbled('validate');
    chmodSync(v8Dir(), 0o777);
    expect(runFixture('validate')).toEqual(expected());
    expect(readFileSync(path).equals(garbled)).toBe(true); // not read (it would be written again)
    chmodSync(v8Dir(), 0o700);
    chmodSync(path, 0o666);
    expect(runFixture('validate')).toEqual(expected());
    expect(readFileSync(path).equals(garbled)).toBe(true);
    chmodSync(path, 0o600);
    expect(runFixture('validate')).toEqual(expected());
    expect(readFileSync(path).equals(garbled)).toBe(false); // this user's alone again: read, rejected, rewritten
  });

  it('keeps going when the cache directory cannot be written', () => {
    mkdirSync(join(cacheHome, 'shipyaml'), { recursive: true });
    writeFileSync(v8Dir(), 'a file where the directory would be\n');
    expect(runFixture('validate')).toEqual(expected());
    expect(runFixture('validate')).toEqual(expected());
  });
});

describe('the bin with the code cache', () => {
  it('answers validate alike with and without the kept code', () => {
    const validate = () =>
      spawnSync(process.execPath, [BIN, 'validate'], {
        cwd: join(ROOT, 'examples/static-site'),
        env: { ...process.env, XDG_CACHE_HOME: cacheHome, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const line = (s: string) => s.match(/deploy\.yml is valid.*/)?.[0];
    const cold = validate();
    expect([cold.status, cold.stderr]).toEqual([0, '']);
    expect(line(cold.stdout)).toMatch(/^deploy\.yml is valid \(\d+ stages?/);
    const [file] = cached('validate');
    expect(file).toBeDefined();
    const warm = validate();
    expect([warm.status, warm.stderr, line(warm.stdout)]).toEqual([0, '', line(cold.stdout)]);
    expect(cached('validate')).toEqual([file]);
  });

  it('loads a shipyaml.config.mjs from the kept code too (its import() comes from outside the cache)', () => {
    const app = join(dir, 'app');
    mkdirSync(join(app, 'public'), { recursive: true });
    writeFileSync(
      join(app, 'shipyaml.config.mjs'),
      "export default { app: 'js-app', source: { build: './public' }, stages: { local: { hosts: [{ local: true }], deploy_to: './.shipyaml/local/js-app' } } };\n",
    );
    const validate = (extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, [BIN, 'validate'], { cwd: app, env: { ...process.env, XDG_CACHE_HOME: cacheHome, CI: 'true', NO_COLOR: '1', ...extra }, encoding: 'utf8', timeout: 60_000 });
    for (const run of ['cold', 'warm', 'off']) {
      const r = validate(run === 'off' ? { NODE_DISABLE_COMPILE_CACHE: '1' } : {}); // off: a plain require, Node's own import()
      expect([run, r.status, r.stderr], r.stdout).toEqual([run, 0, '']);
      expect(r.stdout).toMatch(/shipyaml\.config\.mjs is valid \(1 stage: local\)/);
    }
    expect(cached('validate')).toHaveLength(1);
  });
});
