// A rollback undone because another host could not switch leaves every release's status as it
// was, and the lock an undo takes back is only ever our own.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layout } from '../../src/plan/layout.js';
import { releaseStatuses, rollbackTarget, type LogEntry, type ServerState } from '../../src/plan/server-state.js';
import { retakeLock } from '../../src/plan/steps.js';
import { renderCmd } from '../../src/shell/cmd.js';

const id = (n: number) => `202601${String(n).padStart(2, '0')}-000000`;
const ok = (n: number): LogEntry => ({ action: 'deploy', id: id(n), status: 'ok', time: '' });
const back = (from: number, to: number, status: LogEntry['status'] = 'ok'): LogEntry => ({ action: 'rollback', id: id(to), from: id(from), status, time: '' });
const state = (log: LogEntry[], current: number): ServerState => ({ releases: [1, 2, 3].map(id), log, current: id(current), currentNotLink: false });

describe('an undone rollback in the log', () => {
  it('ok then failed for the same rollback: statuses as before it, and the next rollback goes to the same release', () => {
    const before = state([ok(1), ok(2), ok(3)], 3);
    const undone = state([ok(1), ok(2), ok(3), back(3, 2), back(3, 2, 'failed')], 3);
    expect(releaseStatuses(undone)).toEqual(releaseStatuses(before));
    expect(rollbackTarget(undone)).toBe(id(2));
    // Still the same once another release is live: 3 was never really rolled back.
    const later = (s: ServerState): ServerState => ({ ...s, releases: [...s.releases, id(4)], log: [...s.log, ok(4)], current: id(4) });
    expect(releaseStatuses(later(undone))).toEqual(releaseStatuses(later(before)));
  });

  it('undoing a rollback back to a rolled-back release leaves it rolled back', () => {
    const before = state([ok(1), ok(2), ok(3), back(3, 2)], 2);
    const undone = state([...before.log, back(2, 3), back(2, 3, 'failed')], 2);
    expect(releaseStatuses(undone)).toEqual(releaseStatuses(before));
    expect(releaseStatuses(undone).get(id(3))).toBe('rolled_back');
  });

  it('a failed entry with no ok one before it (the host never got to log) changes nothing', () => {
    const before = state([ok(1), ok(2), ok(3)], 3);
    expect(releaseStatuses(state([...before.log, back(3, 2, 'failed')], 3))).toEqual(releaseStatuses(before));
  });

  it('a rollback that stood is not undone by a later failed entry for another one', () => {
    const st = state([ok(1), ok(2), ok(3), back(3, 2), back(2, 1, 'failed')], 2);
    expect(releaseStatuses(st).get(id(3))).toBe('rolled_back');
  });
});

describe('retakeLock', () => {
  const TOKEN = 'a1b2c3';
  const setup = () => {
    const root = mkdtempSync(join(tmpdir(), 'shipyaml-relock-'));
    const l = layout(root);
    mkdirSync(l.state, { recursive: true });
    return l;
  };
  const run = (l: ReturnType<typeof layout>) => {
    try {
      execFileSync('sh', ['-c', renderCmd(retakeLock(l, JSON.stringify({ token: TOKEN, command: 'rollback' }), TOKEN))], { stdio: 'pipe' });
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  };

  it('takes a released lock back, keeps one still ours, refuses one another run holds', () => {
    const l = setup();
    expect(run(l)).toBe(0);
    expect(readFileSync(l.lock, 'utf8')).toContain(TOKEN);
    expect(run(l)).toBe(0);
    writeFileSync(l.lock, '{"token":"someone-else"}\n');
    expect(run(l)).not.toBe(0);
    expect(readFileSync(l.lock, 'utf8')).toContain('someone-else');
    expect(existsSync(l.lock)).toBe(true);
  });
});
