import { compareIds, isReleaseId } from './release-id.js';
import { MARKER_PREFIX } from './batch.js';
import { parseCacheSums, type CacheListing } from './cache-listing.js';

/** One line of .shipyaml/log.jsonl. */
export interface LogEntry {
  action: 'deploy' | 'rollback';
  /** The release this entry is about: the deployed one, or the one rolled back to. */
  id: string;
  /** For rollbacks: the release that was live before. */
  from?: string;
  /**
   * For rollbacks, 'failed' follows an 'ok' entry of the same id and from when the host was sent
   * back because another host could not switch: together they leave every status as it was.
   */
  status: 'ok' | 'failed';
  revision?: string;
  dirty?: boolean;
  user?: string;
  machine?: string;
  time: string;
  ms?: number;
}

export interface LockInfo {
  user?: string;
  machine?: string;
  pid?: number;
  since?: string;
  release?: string;
  command?: string;
  raw: string;
}

/** What a host holds, read in one round trip before anything is planned. */
export interface ServerState {
  /** Release id that `current` points to, if it points into releases/. */
  current?: string;
  /** `current` exists but is not a symlink (a real directory): the switch would be unsafe. */
  currentNotLink: boolean;
  /** Directory names in releases/ that are shipyaml ids (others are ignored, never touched). */
  releases: string[];
  log: LogEntry[];
  lock?: LockInfo;
  /** What .shipyaml/cache holds (absent: no trustworthy cache, the next upload is full). */
  cache?: CacheListing;
}

export type ReleaseStatus = 'ok' | 'rolled_back' | 'failed' | 'partial';

/** The status of every release directory, from the log alone (never from mtimes). */
export function releaseStatuses(state: ServerState): Map<string, ReleaseStatus> {
  const byId = new Map<string, ReleaseStatus>();
  // Only shipyaml ids are ever considered: anything else in releases/ is not ours to touch.
  for (const id of state.releases) if (isReleaseId(id)) byId.set(id, 'partial');
  const undo = new Map<string, Map<string, ReleaseStatus>>();
  for (const e of state.log) {
    if (e.action === 'deploy' && byId.has(e.id)) byId.set(e.id, e.status === 'ok' ? 'ok' : 'failed');
    if (e.action === 'rollback' && e.status === 'ok') undo.set(rollbackKey(e), pick(byId, [e.id, e.from]));
    if (e.action === 'rollback' && e.status === 'ok' && e.from && byId.get(e.from) === 'ok') byId.set(e.from, 'rolled_back');
    // Rolling back *to* a rolled-back release makes it good again.
    if (e.action === 'rollback' && e.status === 'ok' && byId.get(e.id) === 'rolled_back') byId.set(e.id, 'ok');
    // A rollback that another host's failure made this host undo: its ok entry counts for nothing.
    if (e.action === 'rollback' && e.status === 'failed') for (const [id, st] of undo.get(rollbackKey(e)) ?? []) byId.set(id, st);
    if (e.action === 'rollback' && e.status === 'failed') undo.delete(rollbackKey(e));
  }
  // The live release is good by definition: it is what serves traffic (e.g. a pre-shipyaml one).
  if (state.current && byId.has(state.current) && byId.get(state.current) !== 'ok') byId.set(state.current, 'ok');
  return byId;
}

const rollbackKey = (e: LogEntry): string => `${e.id} ${e.from ?? ''}`;

function pick(byId: Map<string, ReleaseStatus>, ids: (string | undefined)[]): Map<string, ReleaseStatus> {
  const out = new Map<string, ReleaseStatus>();
  for (const id of ids) if (id !== undefined && byId.has(id)) out.set(id, byId.get(id)!);
  return out;
}

/** The release `rollback` goes to: the newest good release older than the live one. */
export function rollbackTarget(state: ServerState): string | undefined {
  const statuses = releaseStatuses(state);
  const good = [...statuses].filter(([, s]) => s === 'ok').map(([id]) => id).sort(compareIds);
  if (state.current === undefined) return good.at(-1);
  return good.filter((id) => compareIds(id, state.current!) < 0).at(-1);
}

/** A section of the state script's output (plan/steps.ts MARK): the data starts at the first one. */
export const SECTION = /^@@shipyaml:(\w+)$/;

/** The line that opens section `name` (SECTION matches it). */
export const sectionLine = (name: string): string => `${MARKER_PREFIX}${name}`;

/** What the lock round printed before the state's sections: whether it took the lock. */
export function parseLockResult(stdout: string): 'taken' | 'held' | undefined {
  return /^(taken|held)\n/.exec(stdout)?.[1] as 'taken' | 'held' | undefined;
}

/** Parses the output of the state-reading script (plan/steps readStateScript). */
export function parseServerState(stdout: string): ServerState {
  // The cache listing, the last section and a line per build file, is handed on whole rather
  // than split into lines and joined again.
  const at = stdout.indexOf(`\n${CACHE_SECTION}\n`);
  const head = at === -1 ? stdout : stdout.slice(0, at + 1);
  const sections = new Map<string, string[]>();
  let name = '';
  for (const line of head.split('\n')) {
    const m = SECTION.exec(line);
    if (m) {
      name = m[1]!;
      sections.set(name, []);
    } else if (name) sections.get(name)!.push(line);
  }
  const text = (k: string) => (sections.get(k) ?? []).join('\n').trim();
  const link = text('current');
  const linkId = link.replace(/\/+$/, '').split('/').pop() ?? '';
  const log: LogEntry[] = [];
  for (const line of sections.get('log') ?? []) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as LogEntry;
      if (e && typeof e.id === 'string' && (e.action === 'deploy' || e.action === 'rollback')) log.push(e);
    } catch {
      // A torn last line (a crash mid-append) must not make the whole log unreadable.
    }
  }
  const lockRaw = text('lock');
  return {
    current: isReleaseId(linkId) ? linkId : undefined,
    currentNotLink: text('current_kind') === 'dir',
    releases: (sections.get('releases') ?? []).map((s) => s.trim()).filter(isReleaseId).sort(compareIds),
    log,
    lock: lockRaw ? parseLock(lockRaw) : undefined,
    cache: at === -1 ? undefined : parseCacheSumsOnce(stdout.slice(at + CACHE_SECTION.length + 2)),
  };
}

const CACHE_SECTION = sectionLine('cache_sums');

// Hosts that got the same deploys list the same cache: one parse serves them all (a listing is a
// line per build file, on every host of a 20-host deploy).
let lastListing: { text: string; parsed: CacheListing | undefined } | undefined;

function parseCacheSumsOnce(text: string): CacheListing | undefined {
  if (lastListing?.text !== text) lastListing = { text, parsed: parseCacheSums(text) };
  return lastListing.parsed;
}

export function parseLock(raw: string): LockInfo {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    return { ...v, raw };
  } catch {
    return { raw };
  }
}

export function describeLock(lock: LockInfo): string {
  const who = [lock.user, lock.machine].filter(Boolean).join('@') || 'unknown';
  const pid = lock.pid ? ` (pid ${lock.pid})` : '';
  const since = lock.since ? ` since ${lock.since}` : '';
  const what = lock.command ? `, ${lock.command}${lock.release ? ` ${lock.release}` : ''}` : '';
  return `held by ${who}${pid}${since}${what}`;
}
