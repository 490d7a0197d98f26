// The md5 of every build file from the last scan, so that a deploy reads again only the files
// that changed since (hashing the bench's 2,000-file build costs ~100 ms of CPU per deploy, a
// 50,000-file one seconds). A digest is reused only while the file's size, mtime, ctime, inode
// and device are all what they were when it was read. mtime alone can be set back (touch -d, a
// build tool restoring timestamps) but ctime cannot: any write, chmod, rename or utimes sets it
// to the filesystem's now. So an entry is stale as soon as the file is touched in any way.
//
// The one gap is a write within the same timestamp tick as the state that was recorded (ticks are
// a jiffy on ext4, 1-2 s elsewhere). git calls it "racily clean"; the rule here closes it: before
// anything is walked, the scan creates its new cache file, whose ctime is a stamp from the same
// clock as the build's files (same device). A digest is recorded only for a file whose ctime is
// strictly before that stamp. Any change after the stamp gets a ctime at or after it, so it can
// never match a recorded entry; a file still being written when the scan starts is hashed again
// next time.
//
// The cache lives in the user's cache directory (cache-dir.ts; not in the project, where it would
// show in `git status`), one file per build directory (and exclude list). Anything wrong with it
// (unreadable, garbage, a read-only home) means no reuse: the scan reads everything, as without
// it. `--full` reads everything too, and writes a fresh cache. SHIPYAML_DIGEST_CACHE=off turns it
// off.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keepNewest, removeStaleTemps, unlinkQuietly, userCacheDir } from '../cache-dir.js';

/** What lstat said about a file when it was walked: the digest is reused only while all of it holds. */
export interface FileStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export interface DigestCache {
  /** The md5 recorded for the file at `path` if it has not changed since, else undefined. */
  known(path: string, stamp: FileStamp): string | undefined;
  /** A digest as the scan has it now (read or reused); kept only if the rule above allows. */
  record(path: string, stamp: FileStamp, md5: string): void;
  /** Writes the new cache in place of the old one (nothing when it is unchanged). Never throws. */
  save(): void;
  /** Leaves the old cache as it was (a scan that failed). Never throws. */
  discard(): void;
}

const HEADER = 'shipyaml build digests 1';
/** Cache files kept: one per build directory (builds in temp dirs add one each); the least recently written go first. */
const KEEP_FILES = 64;

/**
 * Where the digests of `buildDir` walked with `exclude` are cached, or undefined when caching is
 * off. Two stages that exclude different files from one build keep a file each: sharing one,
 * each would rewrite it without the other's files.
 */
export function digestCacheFile(buildDir: string, exclude: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (/^(off|0|false|no)$/i.test(env.SHIPYAML_DIGEST_CACHE ?? '')) return undefined;
  let real: string;
  try {
    real = realpathSync(buildDir);
  } catch {
    return undefined;
  }
  const key = createHash('sha256').update([real, ...exclude].join('\0')).digest('hex');
  return join(digestCacheDir(env), key.slice(0, 32));
}

/** The directory of every build's digests (emptied, a fresh machine's scan reads every file). */
export function digestCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheDir(env), 'digests');
}

/** md5, then the key: size, mtime, ctime, inode, device. */
const LINE = /^[0-9a-f]{32} \d+ [\d.]+ [\d.]+ \d+ \d+$/;
const keyOf = (s: FileStamp): string => `${s.size} ${s.mtimeMs} ${s.ctimeMs} ${s.ino} ${s.dev}`;

/**
 * Opens the cache of one scan: call it before the walk (its new file is the scan's stamp).
 * `reuse: false` reads nothing old (--full) but still records. Undefined when the cache cannot
 * be used at all; the scan then reads every file.
 */
export function openDigestCache(file: string, opts: { reuse: boolean }): DigestCache | undefined {
  const dir = dirname(file);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number;
  let clock: { dev: number; ctimeMs: number };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(tmp, 'wx', 0o600);
    const st = fstatSync(fd);
    clock = { dev: st.dev, ctimeMs: st.ctimeMs };
  } catch {
    return undefined;
  }
  removeStaleTemps(dir);
  const old = opts.reuse ? readEntries(file) : new Map<string, string>();
  const lines: string[] = [];
  /** Whether the new cache equals the old one so far (then it is not written again). */
  let same = old.size > 0;
  const discard = (): void => {
    try {
      closeSync(fd);
    } catch {
      // closed already (a failed save)
    }
    unlinkQuietly(tmp);
  };
  return {
    known(path, stamp) {
      const line = old.get(path);
      return line !== undefined && line.slice(33) === keyOf(stamp) ? line.slice(0, 32) : undefined;
    },
    record(path, stamp, md5) {
      if (stamp.dev !== clock.dev || !(stamp.ctimeMs < clock.ctimeMs)) {
        same = false;
        return;
      }
      const line = `${md5} ${keyOf(stamp)}`;
      if (old.get(path) !== line) same = false;
      lines.push(`${line}\t${path}`);
    },
    save() {
      if (same && lines.length === old.size) return discard();
      try {
        writeSync(fd, `${HEADER}\n${lines.join('\n')}\n`);
        closeSync(fd);
        renameSync(tmp, file);
        keepNewest(dir, KEEP_FILES);
      } catch {
        discard();
      }
    },
    discard,
  };
}

/** path -> "md5 key" of a cache file; empty when it is missing or not one. */
function readEntries(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  if (!text.startsWith(`${HEADER}\n`)) return out;
  let at = HEADER.length + 1;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const tab = text.indexOf('\t', at);
    if (tab > at && tab < end) {
      const head = text.slice(at, tab);
      if (LINE.test(head)) out.set(text.slice(tab + 1, end), head);
    }
    at = end + 1;
  }
  return out;
}
