// Part of `npm run build`, after tsc: bundles the CLI. Unbundled, every command resolves, reads and
// compiles ~90 of our modules and yaml's ~70 CommonJS files one by one before it starts; bundled,
// it loads a handful of files (validate: ~375 -> ~310 ms on a 2-core machine).
//
// Replaces tsc's dist/cli/main.js and dist/transfer/scan-worker.js (a worker thread loads it by
// path, so it stays an entry of its own) and writes the code they share or import lazily to
// dist/chunks/: lazy imports (the commands, ssh, listr2) stay lazy, as separate chunks. The rest of
// tsc's dist/ stays as it was. Runtime paths to the package's own files go through
// src/package-files.ts, which finds them from wherever its code ended up.
//
// Our code and yaml are bundled; every other dependency stays a real import from node_modules:
// ssh2 loads native addons, and the others are either lazy (listr2, ssh2, ajv's compiler) or
// loaded by path at run time (handlebars' single-file build, ajv's runtime helpers).
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { rolldown } from 'rolldown';

const INLINED = ['yaml'];
const dependencies = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies);
const externalDeps = dependencies.filter((d) => !INLINED.includes(d));
const isExternal = (id) => id.startsWith('node:') || externalDeps.some((d) => id === d || id.startsWith(`${d}/`));

const bundle = await rolldown({
  input: { 'cli/main': 'dist/cli/main.js', 'transfer/scan-worker': 'dist/transfer/scan-worker.js' },
  platform: 'node',
  external: isExternal,
  tsconfig: false, // the input is tsc's JavaScript: nothing left to transform
});
const { output } = await bundle.write({
  dir: 'dist',
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: 'chunks/[name]-[hash].js',
  minify: false, // a crash's stack trace must stay readable
  sourcemap: false,
});
await bundle.close();

// Only our dist/ and the inlined packages may be inside: a dependency bundled by mistake (a new
// one not yet in package.json, or one reached through a path) would run as a second copy.
// (Module ids are real paths: node_modules may be a symbolic link.)
const allowed = ['dist', ...INLINED.map((d) => `node_modules/${d}`)].map((d) => realpathSync(d) + path.sep);
const stray = output
  .flatMap((chunk) => (chunk.type === 'chunk' ? Object.keys(chunk.modules) : []))
  .filter((id) => !id.startsWith('\0') && !allowed.some((dir) => id.startsWith(dir)));
if (stray.length > 0) {
  console.error(`scripts/bundle.mjs: bundled modules outside dist/ and ${INLINED.join(', ')}:\n  ${stray.join('\n  ')}`);
  process.exit(1);
}
