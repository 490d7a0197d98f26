import { compareIds } from './release-id.js';
import { releaseStatuses, rollbackTarget, type ServerState } from './server-state.js';

export interface RetentionInput {
  state: ServerState;
  keepReleases: number;
  /** Releases being written right now (the deploy's own): never removed. */
  inFlight?: string[];
  /** `cleanup` also removes failed and rolled-back releases; a deploy keeps them for debugging. */
  purgeKept?: boolean;
}

/**
 * Which release dirs to remove. Keeps the newest `keepReleases` good releases, and always the
 * live one, the rollback target and any in flight; only ever names shipyaml ids that exist.
 */
export function releasesToRemove({ state, keepReleases, inFlight = [], purgeKept = false }: RetentionInput): string[] {
  const statuses = releaseStatuses(state);
  const protectedIds = new Set<string>(inFlight);
  if (state.current) protectedIds.add(state.current);
  const target = rollbackTarget(state);
  if (target) protectedIds.add(target);

  const good = [...statuses].filter(([, s]) => s === 'ok').map(([id]) => id).sort(compareIds);
  for (const id of good.slice(-Math.max(1, keepReleases))) protectedIds.add(id);

  const remove: string[] = [];
  for (const [id, status] of statuses) {
    if (protectedIds.has(id)) continue;
    if (status === 'ok' || status === 'partial') remove.push(id);
    else if (purgeKept) remove.push(id); // failed or rolled back: kept until an explicit cleanup
  }
  return remove.sort(compareIds);
}
