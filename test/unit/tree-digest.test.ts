import { createHash } from 'node:crypto';
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TREE_DIGEST_SH, treeDigest } from '../../src/transfer/tree-digest.js';

describe('tree digest', () => {
  it('the client predicts exactly what the server prints, odd names included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'digest-'));
    const files: Record<string, string> = {
      'a.txt': 'one',
      'sub/b.bin': '\u0000\u0001two',
      'sub/deeper/c': '',
      'Z upper': 'z',
      'with space.txt': 's',
      'back\\slash': 'b',
      'new\nline': 'n',
      'ünï/cødé': 'u',
    };
    const entries = Object.entries(files).map(([path, content]) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
      return { path, md5: createHash('md5').update(content).digest('hex') };
    });
    const server = execSync(TREE_DIGEST_SH, { cwd: dir, shell: '/bin/sh' }).toString().trim();
    expect(treeDigest(entries)).toBe(server);
    // One byte changes it.
    writeFileSync(join(dir, 'a.txt'), 'onE');
    expect(execSync(TREE_DIGEST_SH, { cwd: dir, shell: '/bin/sh' }).toString().trim()).not.toBe(server);
  });
});
