import { describe, expect, it } from 'vitest';
import { releasesToRemove } from '../../src/plan/retention.js';
import { rollbackTarget, type LogEntry, type ServerState } from '../../src/plan/server-state.js';

const id = (n: number) => `202601${String(n).padStart(2, '0')}-000000`;
const ok = (n: number): LogEntry => ({ action: 'deploy', id: id(n), status: 'ok', time: '' });
const failed = (n: number): LogEntry => ({ action: 'deploy', id: id(n), status: 'failed', time: '' });
const back = (from: number, to: number): LogEntry => ({ action: 'rollback', id: id(to), from: id(from), status: 'ok', time: '' });
const state = (dirs: number[], log: LogEntry[], current?: number, extra: string[] = []): ServerState => ({
  releases: [...dirs.map(id), ...extra],
  log,
  current: current === undefined ? undefined : id(current),
  currentNotLink: false,
});

describe('retention', () => {
  it('keeps the newest N good releases', () => {
    const st = state([1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7].map(ok), 7);
    expect(releasesToRemove({ state: st, keepReleases: 5 })).toEqual([id(1), id(2)]);
  });

  it('never removes the live release nor the rollback target, even beyond N', () => {
    // Rolled back to 2: live is 2, target is 1, both old.
    const st = state([1, 2, 3, 4], [ok(1), ok(2), ok(3), ok(4), back(4, 3), back(3, 2)], 2);
    expect(rollbackTarget(st)).toBe(id(1));
    const removed = releasesToRemove({ state: st, keepReleases: 1 });
    expect(removed).not.toContain(id(2));
    expect(removed).not.toContain(id(1));
  });

  it('keeps failed and rolled-back releases on deploy, removes them on cleanup', () => {
    const st = state([1, 2, 3], [ok(1), failed(2), ok(3), back(3, 1)], 1);
    expect(releasesToRemove({ state: st, keepReleases: 5 })).toEqual([]);
    expect(releasesToRemove({ state: st, keepReleases: 5, purgeKept: true })).toEqual([id(2), id(3)]);
  });

  it('keeps only the newest N failed and rolled-back releases on deploy: the disk stays bounded', () => {
    // 1..6 deployed; 2 failed; 3, 4 and 5 each rolled back (to the release before); 6 is live.
    const log = [ok(1), failed(2), ok(3), back(3, 1), ok(4), back(4, 1), ok(5), back(5, 1), ok(6)];
    const st = state([1, 2, 3, 4, 5, 6], log, 6);
    expect(rollbackTarget(st)).toBe(id(1));
    // keep 2: good 1 and 6 (1 is also the target); kept for debugging: 4 and 5, the newest two.
    expect(releasesToRemove({ state: st, keepReleases: 2 })).toEqual([id(2), id(3)]);
    expect(releasesToRemove({ state: st, keepReleases: 5 })).toEqual([]);
    expect(releasesToRemove({ state: st, keepReleases: 2, purgeKept: true })).toEqual([id(2), id(3), id(4), id(5)]);
  });

  it('removes partial releases (no log entry) but never one in flight', () => {
    const st = state([1, 2, 3], [ok(1)], 1);
    expect(releasesToRemove({ state: st, keepReleases: 5, inFlight: [id(3)] })).toEqual([id(2)]);
  });

  it('ignores directories that are not release ids', () => {
    const st = state([1], [ok(1)], 1, ['keep-me', '..', 'current']);
    expect(releasesToRemove({ state: st, keepReleases: 1, purgeKept: true })).toEqual([]);
  });

  it('a partial release is never a rollback target', () => {
    const st = state([1, 2, 3], [ok(1), ok(3)], 3);
    expect(rollbackTarget(st)).toBe(id(1));
  });
});
