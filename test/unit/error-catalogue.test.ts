import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/codes.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the error catalogue', () => {
  it('README troubleshooting lists every code with its exit code and fix', () => {
    for (const [code, { exit, fix }] of Object.entries(ERROR_CODES)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
      expect(row, `README row for ${code}`).toBeDefined();
      expect(row).toContain(`| ${exit} |`);
      expect(row).toContain(fix);
    }
  });

  it('README lists no code that does not exist', () => {
    const listed = [...readme.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(10);
    for (const code of listed) expect(Object.keys(ERROR_CODES)).toContain(code);
  });
});
