import { compareIds } from '../plan/release-id.js';
import { releaseStatuses, type LogEntry } from '../plan/server-state.js';
import type { Session } from './session.js';
import { readStates } from './read-states.js';

export interface ReleaseRow {
  id: string;
  /** Hosts that have the directory. */
  hosts: string[];
  /** Hosts on which it is live. */
  live: string[];
  status: string;
  revision?: string;
  user?: string;
  time?: string;
  ms?: number;
}

export interface ReleasesReport {
  rows: ReleaseRow[];
  /** Host -> live release, to show hosts that disagree. */
  current: Record<string, string | null>;
  locks: Record<string, string>;
}

/** What every host holds, merged into one row per release id, newest first. */
export async function listReleases(s: Session): Promise<ReleasesReport> {
  const states = await readStates(s);
  const rows = new Map<string, ReleaseRow>();
  const current: Record<string, string | null> = {};
  const locks: Record<string, string> = {};
  for (const [host, st] of states) {
    current[host] = st.current ?? null;
    if (st.lock) locks[host] = st.lock.raw;
    const statuses = releaseStatuses(st);
    for (const [id, status] of statuses) {
      const row = rows.get(id) ?? { id, hosts: [], live: [], status };
      row.hosts.push(host);
      if (st.current === id) row.live.push(host);
      if (row.status !== status && !row.status.includes(status)) row.status = `${row.status}/${status}`;
      const e = [...st.log].reverse().find((x: LogEntry) => x.action === 'deploy' && x.id === id);
      if (e) Object.assign(row, { revision: e.revision, user: e.user, time: e.time, ms: e.ms });
      rows.set(id, row);
    }
  }
  return { rows: [...rows.values()].sort((a, b) => compareIds(b.id, a.id)), current, locks };
}
