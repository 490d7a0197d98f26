import { compareIds } from './release-id.js';
import { releaseStatuses, rollbackTarget, type ReleaseStatus, type ServerState } from './server-state.js';

export interface RetentionInput {
  state: ServerState;
  keepReleases: number;
  /** Releases being written right now (the deploy's own): never removed. */
  inFlight?: string[];
  /**
   * `cleanup` removes every failed and rolled-back release; a deploy keeps the newest
   * `keepReleases` of them for debugging.
   */
  purgeKept?: boolean;
}

/**
 * Which release dirs to remove. Keeps the newest `keepReleases` good releases, the newest
 * `keepReleases` failed or rolled-back ones (for debugging; all of them go with `purgeKept`), and
 * always the live one, the rollback target and any in flight; only ever names shipyaml ids that
 * exist. So the disk a stage takes is bounded however often it is rolled back.
 */
export function releasesToRemove({ state, keepReleases, inFlight = [], purgeKept = false }: RetentionInput): string[] {
  const statuses = releaseStatuses(state);
  const protectedIds = new Set<string>(inFlight);
  if (state.current) protectedIds.add(state.current);
  const target = rollbackTarget(state);
  if (target) protectedIds.add(target);

  const newest = (wanted: (s: ReleaseStatus) => boolean) =>
    [...statuses]
      .filter(([, s]) => wanted(s))
      .map(([id]) => id)
      .sort(compareIds)
      .slice(-Math.max(1, keepReleases));
  for (const id of newest((s) => s === 'ok')) protectedIds.add(id);
  if (!purgeKept) for (const id of newest((s) => s === 'failed' || s === 'rolled_back')) protectedIds.add(id);

  // Partial releases (a deploy that never logged) are never kept: nothing can be learnt from them.
  return [...statuses.keys()].filter((id) => !protectedIds.has(id)).sort(compareIds);
}
