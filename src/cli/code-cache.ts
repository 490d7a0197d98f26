// V8's compiled code of the bundled CLI (dist/cli/main.cjs), kept on disk between runs. Compiling
// the bundle's 1.6 MB costs ~65 ms of CPU at every start on a small VM, and the functions a command
// runs are compiled again as it goes; with their bytecode from the last run, a rollback's first
// SSH byte leaves ~70 ms sooner. Node 22 has module.enableCompileCache for this, Node 20 has only
// vm.Script's cachedData, which this is built on (one mechanism for every Node).
//
// A file per command (deploy, rollback, validate…): the cache is written at the end of a run that
// exited 0, so it holds what that command compiled, and each command's differs. It is written once
// and then only read; V8 rejects one that does not fit (another V8 or other flags: its own check),
// and the next successful run writes it again. Its name carries a digest of the bundle, so a
// rebuilt or reinstalled bundle never reads the code of another. Anything wrong (no home, a
// read-only disk, an unreadable or garbled file) means compiling as without it.
// NODE_DISABLE_COMPILE_CACHE=1, Node's own switch for its cache, turns it off.
import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, type Stats } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { keepNewest, removeStaleTemps, unlinkQuietly, userCacheDir } from '../cache-dir.js';
import { provideImport } from '../import-module.js';

/** ~1 MB each; a dozen commands, and a version or two while an upgrade settles in. */
const KEEP_FILES = 24;

/** The function around a CommonJS module's code, with the parameters Node gives every module (on one line: line numbers stay the file's). */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_TAIL = '\n});';
type ModuleWrapper = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;

/**
 * Where the compiled code of the bundle `source` run as `command` is kept, or undefined when
 * caching is off. The name carries a digest of the source (~1 ms): npm installs every file with
 * one mtime, and a file of the same length passes V8's own check, so nothing less tells a
 * reinstalled bundle from the one the code was compiled from.
 */
export function codeCacheFile(source: Buffer, command: string | undefined, env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  // V8 checks its version and flags itself; these only keep apart what would reject each other.
  const variant = JSON.stringify([process.version, process.arch, codeFlags(execArgv), env.NODE_OPTIONS ?? '']);
  const key = createHash('sha256').update(source).update(variant).digest('hex').slice(0, 20);
  const name = command !== undefined && /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other';
  return join(userCacheDir(env), 'v8', `${name}-${key}.bin`);
}

/** Profiling (the bench's --cpu-prof-dir, new every run) leaves V8's code as it is: not part of the key. */
const PROFILING = /^--(cpu|heap)-prof(-(dir|name|interval))?(=|$)/;
const PROFILING_VALUE = /^--(cpu|heap)-prof-(dir|name|interval)$/;

function codeFlags(execArgv: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (PROFILING_VALUE.test(a)) i++;
    else if (!PROFILING.test(a)) kept.push(a);
  }
  return kept.join(' ');
}

/**
 * Runs the CommonJS file `file` as Node would (its own module, require, __filename), compiled with
 * the code kept for `command` (codeCacheFile), and keeps the compiled code after a run that exits 0
 * if there was none that fitted. With the cache off, it is a plain require. An import() in the
 * file fails (it has no loader to call): the file imports through import-module.ts.
 */
export function runWithCodeCache(file: string, command: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const require = createRequire(file);
  const bytes = env.NODE_DISABLE_COMPILE_CACHE ? undefined : readFileSync(file);
  const cacheFile = bytes && codeCacheFile(bytes, command, env);
  if (bytes === undefined || cacheFile === undefined) {
    require(file);
    return;
  }
  // This module is compiled by Node's own loader: its import() works, the bundle's would not.
  provideImport((specifier) => import(specifier));
  // The bundle is ASCII (scripts/bundle.mjs): read as Latin-1 it is the same text, without the
  // cost of UTF-8 decoding. Anything else (an edited bundle) is decoded as Node would.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const kept = readKept(cacheFile);
  const cachedData = kept === 'foreign' ? undefined : kept;
  const script = new vm.Script(`${WRAPPER_HEAD}${source}${WRAPPER_TAIL}`, { filename: file, cachedData });
  if (kept !== 'foreign' && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', (code) => {
      if (code === 0) save(script, cacheFile);
    });
  }
  const module = new Module(file);
  module.filename = file;
  const wrapper = script.runInThisContext() as ModuleWrapper;
  wrapper.call(module.exports, module.exports, require, module, file, dirname(file));
  module.loaded = true;
}

/**
 * Compiled code runs as whoever reads it: code that someone else could have written (an
 * XDG_CACHE_HOME in a shared place) is neither read nor written. Everything must be this user's,
 * and writable by nobody else.
 */
function ours(st: Stats): boolean {
  const uid = process.getuid?.();
  return uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0);
}

/** The kept code, undefined when there is none yet, or 'foreign' when it is not this user's alone. */
function readKept(cacheFile: string): Buffer | undefined | 'foreign' {
  try {
    const dir = lstatSync(dirname(cacheFile));
    if (!dir.isDirectory() || !ours(dir)) return 'foreign';
  } catch {
    return undefined; // no directory yet: save() makes it, for this user only
  }
  let fd: number;
  try {
    fd = openSync(cacheFile, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() && ours(st) ? readFileSync(fd) : 'foreign';
  } catch {
    return 'foreign'; // unreadable: compile, and leave it alone
  } finally {
    closeSync(fd);
  }
}

function save(script: vm.Script, cacheFile: string): void {
  const dir = dirname(cacheFile);
  // A name nobody can have made ready for us: 'wx' never follows a link left in its place.
  const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || !ours(st)) return; // made by someone else meanwhile
    fd = openSync(tmp, 'wx', 0o600);
  } catch {
    return; // a read-only home: not even the ~20 ms of serialising the code, nor a write
  }
  try {
    writeFileSync(fd, script.createCachedData());
    closeSync(fd);
    renameSync(tmp, cacheFile);
    removeStaleTemps(dir);
    keepNewest(dir, KEEP_FILES);
  } catch {
    // a full disk: the next run compiles, as without a cache
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    unlinkQuietly(tmp);
  }
}
