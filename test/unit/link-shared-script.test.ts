import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layout } from '../../src/plan/layout.js';
import { linkShared } from '../../src/plan/steps.js';
import { renderCmd } from '../../src/shell/cmd.js';
import { shimCalls, toolShim } from '../support/tool-shim.js';

// The shared links of a release, made by the real script under the system's sh on a real layout.
// rm and mkdir run only where the release needs them (shims log every call): a build without the
// shared paths, and with the parents of nested ones, costs the server no rm and no mkdir.
const ID = '20260415-093301';
const shared = { files: ['.env', 'config/app.yml'], dirs: ['storage', 'public/uploads'] };
const base = mkdtempSync(join(tmpdir(), 'shipyaml-links-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
function app(): { root: string; release: string } {
  const root = join(base, `app${n++}`);
  const release = join(root, 'releases', ID);
  mkdirSync(release, { recursive: true });
  mkdirSync(join(root, 'shared', 'config'), { recursive: true });
  mkdirSync(join(root, 'shared', 'storage'), { recursive: true });
  mkdirSync(join(root, 'shared', 'public', 'uploads'), { recursive: true });
  writeFileSync(join(root, 'shared', '.env'), 'X=1\n');
  writeFileSync(join(root, 'shared', 'config', 'app.yml'), 'a: 1\n');
  return { root, release };
}

function link(root: string): { rm: number; mkdir: number } {
  const shims = join(root, '..', `${root.split('/').pop()}.shim`);
  const rm = toolShim(shims, 'rm');
  const mkdir = toolShim(shims, 'mkdir');
  writeFileSync(rm.log, '');
  writeFileSync(mkdir.log, '');
  execFileSync('sh', ['-c', renderCmd(linkShared(layout(root), ID, shared))], { env: { ...process.env, ...rm.env } });
  return { rm: shimCalls(rm.log), mkdir: shimCalls(mkdir.log) };
}

function expectLinked(root: string, release: string): void {
  for (const p of [...shared.files, ...shared.dirs]) {
    expect(lstatSync(join(release, p)).isSymbolicLink(), p).toBe(true);
    expect(readlinkSync(join(release, p)), p).toBe(join(root, 'shared', p));
  }
}

describe('linking shared paths into a release', () => {
  it('a build without them, with the parents of the nested ones: no rm, no mkdir', () => {
    const { root, release } = app();
    mkdirSync(join(release, 'config'));
    mkdirSync(join(release, 'public'));
    expect(link(root)).toEqual({ rm: 0, mkdir: 0 });
    expectLinked(root, release);
  });

  it('a build that left a file, a directory or a dangling link at a shared path: one rm, and the links replace them', () => {
    for (const leave of ['file', 'dir', 'dangling link'] as const) {
      const { root, release } = app();
      mkdirSync(join(release, 'config'));
      mkdirSync(join(release, 'public'));
      if (leave === 'file') writeFileSync(join(release, '.env'), 'from the build\n');
      if (leave === 'dir') mkdirSync(join(release, 'storage', 'logs'), { recursive: true });
      if (leave === 'dangling link') symlinkSync('nowhere', join(release, 'public', 'uploads'));
      expect(link(root), leave).toEqual({ rm: 1, mkdir: 0 });
      expectLinked(root, release);
    }
  });

  it('a build without the parents of the nested paths: one mkdir', () => {
    const { root, release } = app();
    expect(link(root)).toEqual({ rm: 0, mkdir: 1 });
    expectLinked(root, release);
  });
});
