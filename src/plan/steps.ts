// Builders of the commands a deploy runs on a host. They return data (Cmd); only transports
// execute. Every value is inserted with quote(); the scripts are POSIX sh (dash, busybox, BSD).
import { posix } from 'node:path';
import { quote } from '../shell/quote.js';
import { ownScript, script, type Cmd } from '../shell/cmd.js';
import { releasePath, type Layout } from './layout.js';
import { listingScript, type ListingFiles } from './cache-listing.js';
import { sectionLine, type LogEntry } from './server-state.js';

export const MARK = (name: string): string => `echo ${quote(sectionLine(name))}`;

/** mkdir -p of the directories, run only when one is missing: most runs spare the process. */
function mkdirIfMissing(dirs: readonly string[]): string {
  return `${dirs.map((d) => `[ -d ${quote(d)} ]`).join(' && ')} || mkdir -p ${dirs.map(quote).join(' ')}`;
}

/**
 * Creates the layout if missing, takes the lock (atomic O_EXCL create) and reads the state; the
 * cache listing (a line per file of the build) only for a deploy, the one command that uses it.
 */
export function lockAndReadState(l: Layout, lockJson: string | undefined, opts: { cacheListing?: boolean } = {}): Cmd {
  const q = quote;
  // The result comes first, before the state's sections: it is the part shown to the user.
  // noclobber makes the create exclusive (O_EXCL); the shell's own printf, no subshell.
  const take =
    lockJson === undefined ? '' : `set -C; if printf '%s\\n' ${q(lockJson)} 2>/dev/null > ${q(l.lock)}; then echo taken; else echo held; fi; set +C`;
  // Only the read-only variant ends early (exit 0): it keeps its own subshell.
  return (lockJson === undefined ? script : ownScript)(
    [
      lockJson === undefined
        ? `[ -d ${q(l.root)} ] || { ${MARK('missing')}; exit 0; }`
        : mkdirIfMissing([l.releases, l.state, l.shared]),
      ...(take ? [take] : []),
      // Each section ends with an echo: a file without a final newline must not swallow the next marker.
      MARK('releases'),
      // Shell builtins where a file is small or a listing is all we need: every process costs
      // the server a fork and an exec, on every host, on every run. The live release is the one
      // entry that is the same directory as current (-ef: a test builtin in dash, bash, ksh and
      // busybox); readlink only when none or several are (a dangling link, one that points
      // outside releases/, a release that is a link to another).
      `live=; n=0; for f in ${q(l.releases)}/*; do if [ -e "$f" ]; then printf '%s\n' "\${f##*/}"; if [ "$f" -ef ${q(l.current)} ]; then live=\${f##*/}; n=$((n + 1)); fi; fi; done`,
      MARK('current'),
      `if [ "$n" = 1 ]; then printf '%s\n' "$live"; else readlink ${q(l.current)} 2>/dev/null || true; fi`,
      MARK('current_kind'),
      `if [ -L ${q(l.current)} ]; then echo link; elif [ -d ${q(l.current)} ]; then echo dir; elif [ -e ${q(l.current)} ]; then echo other; else echo none; fi`,
      MARK('log'),
      `tail -n 2000 ${q(l.log)} 2>/dev/null || true; echo`,
      MARK('lock'),
      `if [ -f ${q(l.lock)} ]; then while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done < ${q(l.lock)}; fi; echo`,
      // Last: parseServerState hands everything after this marker to the listing's parser.
      // Not while an upload that changed the cache left its dirty flag: the listing may be stale.
      ...(opts.cacheListing ? [MARK('cache_sums'), `if [ ! -e ${q(l.cacheDirty)} ]; then cat ${q(l.cacheSums)} 2>/dev/null || true; fi; echo`] : []),
      'unset f line live n',
    ].join('\n'),
  );
}

/** Removes the lock only if it is still ours (the token), so a cleared-and-retaken lock survives. */
export function releaseLock(l: Layout, token: string): Cmd {
  // The lock file is one line; read by the shell itself, not by a grep process.
  return ownScript(
    `if [ -f ${quote(l.lock)} ] && IFS= read -r held < ${quote(l.lock)}; then case $held in *${quote(token)}*) rm -f ${quote(l.lock)} ;; esac; fi; unset held`,
  );
}

/**
 * Takes our lock back before an undo: nothing to do while it still holds our token, an exclusive
 * create when our own run released it; fails when another run holds it, so nothing is undone
 * under someone else's lock.
 */
export function retakeLock(l: Layout, lockJson: string, token: string): Cmd {
  const q = quote;
  return script(
    [
      `if grep -F -q ${q(token)} ${q(l.lock)} 2>/dev/null; then exit 0; fi`,
      `if ( set -C; printf '%s\\n' ${q(lockJson)} > ${q(l.lock)} ) 2>/dev/null; then exit 0; fi`,
      `echo ${q(`${l.lock} is held by another run: this host was not switched back`)} >&2`,
      'exit 1',
    ].join('\n'),
  );
}

export function forceUnlock(l: Layout): Cmd {
  return script(`rm -f ${quote(l.lock)}`);
}

export function createRelease(l: Layout, id: string): Cmd {
  // mkdir without -p for the release itself: it must be fresh, never an existing one.
  return ownScript(`${mkdirIfMissing([l.releases])}\nmkdir ${quote(releasePath(l, id))}`);
}

export interface UploadExpect {
  /** Files, directories and links: the lines of the server's listing. */
  entries: number;
  files: number;
  bytes: number;
  /** Tree digest (see transfer/tree-digest.ts); checked where the server has md5sum. */
  digest: string;
}

export type UploadPlan = { kind: 'full' } | { kind: 'delta'; removed: readonly string[] };

/**
 * The build reaches the release through the tool-owned cache: the tar stream (everything, or
 * only what changed) is applied to .shipyaml/cache, the cache is verified against the build's
 * digest, then copied — never linked — into the fresh release. Old releases are never read, so a
 * file edited by hand in one can never leak into a new one. A delta sets the cache's dirty flag
 * first (a redirection, no process) and removes it only with the new listing in place; a full
 * upload removes the listing first. So an interrupted upload makes the next one full.
 *
 * The listing (plan/cache-listing.ts) comes from one walk of the cache. A delta hashes only the
 * files whose inode changed (ctime) since cache.mark, touched before the last listing was made;
 * the others keep their listed sums. Any doubt (no marker, a marker in the future because the
 * clock went back, a find without -cnewer, a file the old listing lacks) hashes every file, as a
 * full upload does. The digest covers directories and links too, so a tampered cache fails.
 */
export function uploadRelease(l: Layout, id: string, mode: UploadPlan, expect?: UploadExpect): Cmd {
  const q = quote;
  const sums = q(l.cacheSums);
  const mark = q(l.cacheMark);
  const inState = (name: string) => posix.join(l.state, `cache.${name}`);
  const f: ListingFiles = {
    walk: inState('walk'),
    names: inState('names'),
    unsorted: inState('unsorted'),
    side: inState('side'),
    count: inState('count'),
    sorted: inState('sums.new'),
    digest: inState('digest'),
  };
  const newMark = inState('mark.new');
  const sumsNew = q(f.sorted);
  const markNew = q(newMark);
  const dirty = q(l.cacheDirty);
  const C = q(l.cache);
  // Written with > before they are read, so nothing is removed first; removed at the end, so a
  // run leaves .shipyaml/ as it found it, apart from the cache and its listing. The dirty flag
  // goes with them: once the new listing is in place, or with the listing when there is none.
  const scratchFiles = [...Object.values(f).map(q), markNew, dirty].join(' ');
  // Every process costs the server a fork and an exec (~5-10 ms on a small VM), on every host:
  // the shell's builtins read the results.
  const lines: string[] = [];
  if (mode.kind === 'full') {
    lines.push(`rm -rf ${sums} ${mark} ${C}`, `mkdir -p ${C}`);
  } else {
    // The listing stays where it is: the walk below reads it for the files that did not change.
    lines.push(`: > ${dirty}`);
    // What the cache holds and the build does not (files, directories, links, changed types).
    if (mode.removed.length) lines.push(`rm -rf ${mode.removed.map((p) => q(posix.join(l.cache, p))).join(' ')}`);
    lines.push(mkdirIfMissing([l.cache]));
  }
  const delta = mode.kind === 'delta' ? { old: l.cacheSums, mark: l.cacheMark, now: newMark } : undefined;
  const copy = `${q(l.cache + '/.')} ${q(releasePath(l, id) + '/')}`;
  lines.push(
    // -o: files belong to the deploy user, not to the uid in the archive (matters as root).
    `tar -xof - -C ${C}`,
    // The release is copied while the cache is listed and hashed: both only read the cache, which
    // nothing else writes under the lock. Any way out waits for the copy first (a failed step's
    // release is removed next), so no cp outlives the script or races that removal.
    // A copy, never links (a hand edit in a release must not reach the cache); on XFS and btrfs
    // GNU cp makes it a copy-on-write clone, near free. Elsewhere --reflink is refused: plain copy.
    `{ cp --reflink=auto -RPp ${copy} 2>/dev/null || cp -RPp ${copy}; } & copying=$!`,
    `trap 'wait "$copying"' EXIT`,
    `cd ${C}`,
    `if command -v md5sum >/dev/null 2>&1; then`,
    // Before any hashing: a file that changes from here on is newer than the next run's marker.
    `  : > ${markNew}`,
    ...listingScript(f, delta).map((line) => `  ${line}`),
    `  read digest rest < ${q(f.digest)}; read entries < ${q(f.count)}; files=-; bytes=-`,
    `else files=$(find . -type f | wc -l | tr -d ' '); entries="$files files"; digest=none; bytes=$(find . -type f -exec cat {} + | wc -c | tr -d ' '); fi`,
  );
  if (expect) {
    lines.push(
      `if { [ "$digest" != none ] && { [ "$entries" != ${expect.entries} ] || [ "$digest" != ${expect.digest} ]; }; } || { [ "$digest" = none ] && { [ "$files" != ${expect.files} ] || [ "$bytes" != ${expect.bytes} ]; }; }; then`,
      `  echo "the uploaded tree differs from the build: $entries entries (digest $digest) arrived, ${expect.entries} entries with ${expect.files} files (digest ${expect.digest}) were sent; the next upload will be full" >&2`,
      `  rm -f ${sums} ${scratchFiles}; exit 1`,
      `fi`,
    );
  }
  lines.push(
    `if [ "$digest" != none ]; then cat ${q(f.side)} >> ${sumsNew} && mv ${markNew} ${mark} && mv ${sumsNew} ${sums}; else rm -f ${sums}; fi`,
    `rm -f ${scratchFiles}`,
    `trap - EXIT`,
    // The copy's own status: a failed copy fails the step (set -e).
    `wait "$copying"`,
    `echo "verified $entries entries, digest $digest"`,
    // It may share the batch's shell (ownScript): a later hook must not see these.
    'unset digest rest entries files bytes copying',
  );
  return ownScript(lines.join('\n'));
}

export function linkShared(l: Layout, id: string, shared: { files: string[]; dirs: string[] }): Cmd {
  const rel = releasePath(l, id);
  const paths = [...shared.files.map((p) => ['file', p] as const), ...shared.dirs.map((p) => ['dir', p] as const)];
  if (paths.length === 0) return script(':');
  const lines: string[] = [];
  for (const [kind, p] of paths) {
    const target = posix.join(l.shared, p);
    lines.push(`[ ${kind === 'file' ? '-f' : '-d'} ${quote(target)} ] || { echo ${quote(`shared ${kind} ${target} does not exist: run \`shipyaml setup\` or create it`)} >&2; exit 1; }`);
  }
  // One rm and one mkdir for all paths (a process each costs the server more than the work), and
  // each only where needed (builds often lack .env, and have the parents of nested paths):
  // whatever the build left at a shared path goes first, since ln cannot replace a directory.
  const links = paths.map(([, p]) => posix.join(rel, p));
  const present = links.map((link) => `[ -e ${quote(link)} ] || [ -L ${quote(link)} ]`).join(' || ');
  lines.push(`if ${present}; then rm -rf ${links.map(quote).join(' ')}; fi`);
  const parents = [...new Set(links.map((link) => posix.dirname(link)))].filter((d) => d !== rel);
  if (parents.length) lines.push(mkdirIfMissing(parents));
  // A link is named for its target (shared/P -> release/P), so one `ln -s TARGET... DIR/` makes
  // every link of a directory.
  const byDir = new Map<string, string[]>();
  for (const [, p] of paths) {
    const dir = posix.join(rel, posix.dirname(p));
    byDir.set(dir, [...(byDir.get(dir) ?? []), posix.join(l.shared, p)]);
  }
  for (const [dir, targets] of byDir) lines.push(`ln -s ${targets.map(quote).join(' ')} ${quote(dir + '/')}`);
  return ownScript(lines.join('\n'));
}

/**
 * The switch: one rename(2). GNU `mv -T` where it exists; elsewhere the link is made inside
 * .shipyaml/ and moved into deploy_to, which is the same rename on BSD and busybox. A real
 * directory at `current` is refused first: mv would move the link inside it.
 */
export function switchCurrent(l: Layout, id: string): Cmd {
  const q = quote;
  const target = `releases/${id}`;
  const tmp = posix.join(l.root, 'current.new');
  const alt = posix.join(l.state, 'switch');
  return ownScript(
    [
      `if [ -d ${q(l.current)} ] && [ ! -L ${q(l.current)} ]; then echo ${q(`${l.current} is a directory, not a symlink: move it away, then deploy again`)} >&2; exit 1; fi`,
      `[ -d ${q(releasePath(l, id))} ] || { echo ${q(`release ${id} does not exist`)} >&2; exit 1; }`,
      `ln -sfn ${q(target)} ${q(tmp)}`,
      `if ! mv -T ${q(tmp)} ${q(l.current)} 2>/dev/null; then`,
      `  rm -f ${q(tmp)}`,
      `  mkdir -p ${q(alt)}`,
      `  ln -sfn ${q(target)} ${q(posix.join(alt, 'current'))}`,
      `  mv -f ${q(posix.join(alt, 'current'))} ${q(l.root + '/')}`,
      `fi`,
      // -ef (same file) is a test builtin in dash, bash, ksh and busybox: no readlink process.
      `[ -L ${q(l.current)} ] && [ ${q(l.current)} -ef ${q(releasePath(l, id))} ] || { echo 'current does not point to the new release after the switch' >&2; exit 1; }`,
    ].join('\n'),
  );
}

export function removeReleases(l: Layout, ids: readonly string[]): Cmd {
  if (ids.length === 0) return script(':');
  return ownScript(`rm -rf ${ids.map((id) => quote(releasePath(l, id))).join(' ')}`);
}

export function appendLog(l: Layout, entry: LogEntry): Cmd {
  return ownScript(`${mkdirIfMissing([l.state])}\nprintf '%s\\n' ${quote(JSON.stringify(entry))} >> ${quote(l.log)}`);
}

/** setup: the layout once, shared/ group-owned with setgid 2775 so web server and deploy user share it. */
export function setupLayout(l: Layout, shared: { files: string[]; dirs: string[]; group?: string }): Cmd {
  const q = quote;
  const lines = [`mkdir -p ${q(l.releases)} ${q(l.state)} ${q(l.shared)}`];
  for (const d of shared.dirs) lines.push(`mkdir -p ${q(posix.join(l.shared, d))}`);
  for (const f of shared.files) {
    const p = posix.join(l.shared, f);
    lines.push(`mkdir -p ${q(posix.dirname(p))}`, `[ -e ${q(p)} ] || : > ${q(p)}`);
  }
  if (shared.group) lines.push(`chgrp -R ${q(shared.group)} ${q(l.shared)}`);
  // Directories get setgid 2775; files group-writable. Existing content is never removed.
  lines.push(`find ${q(l.shared)} -type d -exec chmod 2775 {} +`);
  lines.push(`find ${q(l.shared)} -type f -exec chmod g+rw {} +`);
  return script(lines.join('\n'));
}
