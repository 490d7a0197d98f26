// The server's listing of .shipyaml/cache (cache.sums): what a delta is decided from and what an
// upload is verified against. It is made on the server by one walk of the cache (listingWalk) and
// one awk (LISTING_AWK), and read back here (parseCacheSums). Its sorted part is what the client
// predicts byte for byte (transfer/tree-digest.ts), so it describes the whole tree: a stray
// directory or link in the cache fails verification as a changed file does.
//
//   md5sum lines (files), `D ./dir`, `L ./link`    sorted (LC_ALL=C); its md5 is the tree digest
//   #exec                                           then the files with the owner's execute bit
//   #mode                                           then the directories whose mode is not 0755
//
// A listing without `#mode` comes from an older shipyaml, which listed files only: not trusted.
import { quote } from '../shell/quote.js';

export interface CacheListing {
  /** path -> md5 of each regular file, as the server's md5sum reported. */
  md5: Map<string, string>;
  /** Paths of files with the owner's execute bit. */
  exec: Set<string>;
  dirs: Set<string>;
  links: Set<string>;
  /** Directories whose mode is not 0755 (their header is always sent again). */
  oddDirs: Set<string>;
}

/**
 * One walk of the cache (run inside it) that prints everything the listing needs. With `names`,
 * GNU find writes the name lines itself into that file (-fprintf): no printf process per batch,
 * and md5sum alone writes to stdout. Without it, only POSIX primaries: child processes print the
 * names (printf and md5sum, one batch at a time, never find itself), so lines cannot interleave.
 * With `newerThan`, only files whose inode changed since that marker are hashed; the others are
 * printed as `F` and keep their listed sums. ctime is set by the kernel on every write, chmod and
 * rename and cannot be set back, so a hand edit is always hashed again (-cnewer: GNU, BSD).
 */
function listingWalk(opts: { newerThan?: string; names?: string } = {}): string {
  const name = (tag: string) => (opts.names ? `-fprintf ${quote(opts.names)} '${tag} %p\\n'` : `-exec printf '${tag} %s\\n' {} +`);
  const fresh = `\\( -perm -100 ${name('X')} -o -type f \\) -exec md5sum {} +`;
  const files = opts.newerThan ? `-cnewer ${quote(opts.newerThan)} ${fresh} -o ${name('F')}` : fresh;
  return [
    `find . -type d \\( ! -perm 755 ${name('M')} -o -type d \\) ${name('D')}`,
    `-o -type l ${name('L')}`,
    `-o -type f \\( ${files} \\)`,
  ].join(' ');
}

/**
 * The walk into `walk` (md5sum lines, and the name lines where find cannot write them) and
 * `names`: GNU find's own -fprintf first; where find refuses it (busybox, BSD: it stops before
 * walking), the POSIX walk, with `names` emptied.
 */
function walkInto(f: ListingFiles, newerThan?: string, quiet = false): string {
  const err = quiet ? ' 2>/dev/null' : '';
  return `{ ${listingWalk({ newerThan, names: f.names })} > ${quote(f.walk)} 2>/dev/null || { : > ${quote(f.names)}; ${listingWalk({ newerThan })} > ${quote(f.walk)}${err}; }; }`;
}

/**
 * `awk LISTING_AWK OLD WALK NAMES SIDE COUNT > UNSORTED`: the listing's lines from the walk, an
 * unchanged file's line taken from the old listing; `#exec` and `#mode` go to SIDE, the number of
 * lines to COUNT. Exits 1 when an unchanged file is not in the old listing (trust nothing then).
 */
const LISTING_AWK = [
  'function unesc(s,  o, i, c) { o = ""; for (i = 1; i <= length(s); i++) { c = substr(s, i, 1); if (c == "\\\\") { i++; c = substr(s, i, 1); if (c == "n") c = "\\n"; else if (c == "r") c = "\\r" } o = o c } return o }',
  'BEGIN { side = ARGV[4]; cnt = ARGV[5]; ARGV[4] = ""; ARGV[5] = "" }',
  'FILENAME == ARGV[1] { if ($0 == "#exec") s = 1; else if ($0 == "#mode") s = 2; else if (s == 1) ox[$0] = 1; else if (s == 0) { c = substr($0, 1, 1); if (c == "\\\\") os[unesc(substr($0, 36))] = $0; else if (c ~ /[0-9a-f]/) os[substr($0, 35)] = $0 } next }',
  '{ c = substr($0, 1, 1); p = substr($0, 3) }',
  'c == "D" { if (p != ".") { print; n++ } next }',
  'c == "M" { if (p != ".") odd[p] = 1; next }',
  'c == "X" { x[p] = 1; next }',
  'c == "F" { if (p in os) { print os[p]; n++; if (p in ox) x[p] = 1 } else bad = 1; next }',
  '{ print; n++ }',
  'END { if (bad) exit 1; print "#exec" > side; for (p in x) print p > side; print "#mode" > side; for (p in odd) print p > side; print n + 0 > cnt }',
].join('\n');

/** The scratch files a listing is made in (plain paths; quoted here). */
export interface ListingFiles {
  walk: string;
  /** The name lines GNU find writes itself (empty where find cannot). */
  names: string;
  unsorted: string;
  /** `#exec` and `#mode`, appended to `sorted` once the upload is verified. */
  side: string;
  count: string;
  sorted: string;
  digest: string;
}

/**
 * Shell lines, run inside the cache, that list it: the sorted part into `f.sorted`, its md5 into
 * `f.digest`, its line count into `f.count`. With `delta`, the files unchanged since `delta.mark`
 * keep their sums from `delta.old`; any doubt (no old listing or marker, a marker newer than
 * `delta.now` because the clock went back, a find without -cnewer, a file the old listing lacks)
 * hashes every file instead.
 */
export function listingScript(f: ListingFiles, delta?: { old: string; mark: string; now: string }): string[] {
  const q = quote;
  const list = (old: string) => `awk ${q(LISTING_AWK)} ${old} ${q(f.walk)} ${q(f.names)} ${q(f.side)} ${q(f.count)} > ${q(f.unsorted)}`;
  const whole = `{ ${walkInto(f)} && ${list('/dev/null')}; } || { echo "could not list the files of $PWD" >&2; exit 1; }`;
  const lines = delta
    ? [
        `if ! { [ -f ${q(delta.old)} ] && [ -f ${q(delta.mark)} ] && [ ! ${q(delta.mark)} -nt ${q(delta.now)} ] &&`,
        `  ${walkInto(f, delta.mark, true)} && ${list(q(delta.old))}; }; then`,
        `  ${whole}`,
        'fi',
      ]
    : [whole];
  return [...lines, `LC_ALL=C sort ${q(f.unsorted)} > ${q(f.sorted)}`, `md5sum < ${q(f.sorted)} > ${q(f.digest)}`];
}

/** Parses cache.sums; undefined (upload everything) for an empty, unreadable or older listing. */
export function parseCacheSums(text: string): CacheListing | undefined {
  if (!text.trim()) return undefined;
  const listing: CacheListing = { md5: new Map(), exec: new Set(), dirs: new Set(), links: new Set(), oddDirs: new Set() };
  let section: 'tree' | 'exec' | 'mode' = 'tree';
  for (const raw of text.split('\n')) {
    if (raw === '#exec' || raw === '#mode') {
      section = raw === '#exec' ? 'exec' : 'mode';
      continue;
    }
    if (!raw) continue;
    if (section !== 'tree') {
      (section === 'exec' ? listing.exec : listing.oddDirs).add(raw.replace(/^\.\//, ''));
      continue;
    }
    if (raw.startsWith('D ./') || raw.startsWith('L ./')) {
      (raw[0] === 'D' ? listing.dirs : listing.links).add(raw.slice(4));
      continue;
    }
    const m = /^\\?([0-9a-f]{32}) [ *]\.\/(.*)$/.exec(raw);
    if (!m) return undefined; // unreadable listing: trust nothing, upload everything
    const name = raw.startsWith('\\') ? m[2]!.replace(/\\(\\|n|r)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\')) : m[2]!;
    listing.md5.set(name, m[1]!);
  }
  return section === 'mode' ? listing : undefined;
}
