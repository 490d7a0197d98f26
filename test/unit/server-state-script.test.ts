import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layout } from '../../src/plan/layout.js';
import { parseServerState, type ServerState } from '../../src/plan/server-state.js';
import { lockAndReadState } from '../../src/plan/steps.js';
import { renderCmd } from '../../src/shell/cmd.js';
import { shimCalls, toolShim } from '../support/tool-shim.js';

// The state-reading half of the lock script, run by the system's sh on a real layout. The live
// release is found with the shell's -ef test; readlink runs only where that cannot say (a shim
// logs every readlink process). Either way `current` must be what readlink's last path part says,
// as it was when the script always ran readlink.
const A = '20260101-000000';
const B = '20260202-000000';
const C = '20260303-000000';
const GONE = '20990101-000000';
const base = mkdtempSync(join(tmpdir(), 'shipyaml-state-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
function app(): string {
  const root = join(base, `app${n++}`);
  mkdirSync(join(root, 'releases', A), { recursive: true });
  mkdirSync(join(root, 'releases', B));
  return root;
}

function readState(root: string): { state: ServerState; readlinks: number } {
  const { env, log } = toolShim(join(root, '..', `${root.split('/').pop()}.shim`), 'readlink');
  writeFileSync(log, '');
  const out = execFileSync('sh', ['-c', renderCmd(lockAndReadState(layout(root), undefined))], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { state: parseServerState(out), readlinks: shimCalls(log) };
}

/** What the script said before -ef: the last part of the link's text, if a release id. */
function byReadlink(root: string): string | undefined {
  const link = join(root, 'current');
  try {
    const last = readlinkSync(link).replace(/\/+$/, '').split('/').pop()!;
    return /^\d{8}-\d{6}$/.test(last) ? last : undefined;
  } catch {
    return undefined;
  }
}

describe('the lock script reads which release is live', () => {
  it('a relative link into releases/: found by -ef, no readlink process', () => {
    const root = app();
    symlinkSync(`releases/${B}`, join(root, 'current'));
    const { state, readlinks } = readState(root);
    expect(state.current).toBe(B);
    expect(state.releases).toEqual([A, B]);
    expect(readlinks).toBe(0);
  });

  it('an absolute link to a release: the same, no readlink', () => {
    const root = app();
    symlinkSync(join(root, 'releases', A), join(root, 'current'));
    const { state, readlinks } = readState(root);
    expect(state.current).toBe(A);
    expect(readlinks).toBe(0);
  });

  it('a dangling link, one outside releases/, a release linked to another: readlink decides, as before', () => {
    const dangling = app();
    symlinkSync(`releases/${GONE}`, join(dangling, 'current'));
    const outside = app();
    mkdirSync(join(outside, 'elsewhere', C), { recursive: true });
    symlinkSync(`elsewhere/${C}`, join(outside, 'current'));
    const twin = app();
    symlinkSync(B, join(twin, 'releases', C)); // releases/C is releases/B under another name
    symlinkSync(`releases/${C}`, join(twin, 'current'));
    for (const [root, expected] of [[dangling, GONE], [outside, C], [twin, C]] as const) {
      const { state, readlinks } = readState(root);
      expect(state.current, root).toBe(expected);
      expect(state.current, root).toBe(byReadlink(root));
      expect(readlinks, root).toBe(1);
    }
  });

  it('no current, or a real directory there: none live', () => {
    const none = app();
    const dir = app();
    mkdirSync(join(dir, 'current'));
    expect(readState(none).state.current).toBeUndefined();
    const d = readState(dir).state;
    expect(d.current).toBeUndefined();
    expect(d.currentNotLink).toBe(true);
  });
});
