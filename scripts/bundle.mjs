// Part of `npm run build`, after tsc: bundles the CLI into one CommonJS file, dist/cli/main.cjs,
// that bin.cjs loads through V8's code cache (src/cli/code-cache.ts). Unbundled, a command
// resolved, read and compiled ~150 files (ours, yaml's, ssh2's, commander's…) through the ES module
// loader before its first SSH byte; one script with its compiled code kept on disk starts a
// rollback ~70 ms sooner on a 2-core machine (0.39 -> 0.315 s, 0.36 -> 0.25 s of CPU).
//
// Why CommonJS: only a classic script can be compiled with cachedData on Node 20 (vm.Script); an
// ES module would need --experimental-vm-modules. The sources stay ES modules; lazy imports
// (the commands, listr2, ssh2) become functions in the bundle: compiled from the cache, run only
// when called.
//
// What stays a real require at run time, resolved from the installed package's node_modules:
// - ssh2's native crypto binding, built at install time. It is used only if the installed ssh2
//   is the version bundled here (a binding of another version may differ); else ssh2 runs its
//   ciphers through Node's crypto, as it does wherever the binding did not build.
// - cpu-features (ssh2's optional native addon) and typescript (an optional peer of cosmiconfig,
//   for .ts configs, which shipyaml does not load).
// - ajv and handlebars, which our code loads by path on first use (createRequire in
//   config/schema.ts, config/generated/, template/engine.ts): bundling them would add a second copy.
//
// bin.cjs reads the cache through dist/cli/start.cjs, bundled on its own. The scan worker
// (dist/transfer/scan-worker.js) is an ES module bundle: a worker thread loads it by path, off the
// main thread's critical path.
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { rolldown } from 'rolldown';

const ssh2Version = JSON.parse(readFileSync('node_modules/ssh2/package.json', 'utf8')).version;
const RUNTIME_LOADED = ['ajv', 'ajv-formats', 'handlebars'];
const OPTIONAL = ['cpu-features', 'typescript'];
const isPackage = (id, names) => names.some((d) => id === d || id.startsWith(`${d}/`));

/** ssh2's `require('./crypto/build/Release/sshcrypto.node')`, taken from the installed ssh2 of the same version. */
const SSH2_BINDING = './crypto/build/Release/sshcrypto.node';
const ssh2Binding = {
  name: 'ssh2-binding',
  transform(code, id) {
    if (!id.endsWith(path.join('ssh2', 'lib', 'protocol', 'crypto.js'))) return null;
    const call = `require('${SSH2_BINDING}')`;
    if (!code.includes(call)) throw new Error(`scripts/bundle.mjs: ${id} no longer has ${call}: check how ssh2 loads its binding`);
    // A throw lands in ssh2's own try/catch: no binding, as where it did not build.
    const installed = `require('ssh2/package.json').version === ${JSON.stringify(ssh2Version)} ? require('ssh2/lib/protocol/crypto/build/Release/sshcrypto.node') : (() => { throw new Error('another ssh2 version is installed'); })()`;
    return { code: code.replace(call, `(${installed})`), map: null };
  },
};

/**
 * One self-contained file per bundle: `input` (tsc's output) to `file`, in `format`. Not minified:
 * a crash's stack trace stays readable. ASCII only (other characters escaped, comments dropped):
 * V8 keeps such a source as one byte per character, so reading main.cjs costs ~1 ms instead of
 * ~14 ms of UTF-8 decoding, and half the memory.
 */
async function bundle(input, file, format, external, plugins = []) {
  const b = await rolldown({ input, platform: 'node', external, plugins, tsconfig: false }); // tsc's JavaScript: nothing to transform
  const { output } = await b.write({ file, format, codeSplitting: false, minify: false, sourcemap: false, charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false } });
  await b.close();
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(readFileSync(file, 'latin1'))) throw new Error(`scripts/bundle.mjs: ${file} is not ASCII-only`);
  return output;
}
const builtins = (id) => id.startsWith('node:');
const outputs = [
  await bundle('dist/cli/main.js', 'dist/cli/main.cjs', 'cjs', (id) => builtins(id) || id.endsWith('.node') || id === 'ssh2/package.json' || isPackage(id, [...OPTIONAL, ...RUNTIME_LOADED]), [ssh2Binding]),
  // What bin.cjs loads first, to find the compiled code of main.cjs: small, builtins only.
  await bundle('dist/cli/start.js', 'dist/cli/start.cjs', 'cjs', builtins),
  await bundle('dist/transfer/scan-worker.js', 'dist/transfer/scan-worker.js', 'esm', builtins),
];
// What the package runs: bin.cjs (tsc's), the bundles, and the recipes that copy-assets.mjs adds
// next. The rest of tsc's output was only the bundler's input; left in the package it would be a
// second copy of the code (and its .d.ts) that nothing runs, or that something runs by mistake.
const KEEP = new Set(['cli/bin.cjs', 'cli/main.cjs', 'cli/start.cjs', 'transfer/scan-worker.js'].map((f) => path.join('dist', f)));
const built = readdirSync('dist', { recursive: true }).map((f) => path.join('dist', f));
const dirs = built.filter((f) => statSync(f).isDirectory());
for (const f of built) if (!KEEP.has(f) && !dirs.includes(f)) rmSync(f);
// Deepest first, so a directory whose subdirectories all went is empty by its turn.
for (const d of dirs.sort((a, b) => b.length - a.length)) if (readdirSync(d).length === 0) rmSync(d, { recursive: true });

// Only our dist/ and our dependencies' trees may be inside: never a file reached through a path
// outside the package, nor a package our code loads at run time (a second copy).
// (Module ids are real paths: node_modules may be a symbolic link.)
const dist = realpathSync('dist') + path.sep;
const modules = realpathSync('node_modules') + path.sep;
const ids = outputs.flat().flatMap((chunk) => (chunk.type === 'chunk' ? Object.keys(chunk.modules) : [])).filter((id) => !id.startsWith('\0'));
const stray = ids.filter((id) => !id.startsWith(dist) && !(id.startsWith(modules) && !isPackage(id.slice(modules.length), RUNTIME_LOADED)));
if (stray.length > 0 || outputs.some((o) => o.length !== 1)) {
  console.error(`scripts/bundle.mjs: expected one file per bundle, with only dist/ and bundled dependencies inside:\n  ${stray.join('\n  ')}`);
  process.exit(1);
}
