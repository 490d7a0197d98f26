// {{x}} must reach the shell as exactly the bytes of x. Round-trip hostile strings through real
// /bin/sh and dash (as google/zx tests its quoting) and compare byte for byte; and check nothing
// they try to run ever runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/template/index.js';

const HOSTILE: [string, string][] = [
  ['empty', ''],
  ['single quote', "it's"],
  ['only quotes', "''"],
  ['quote breakout', "'; touch PWNED; '"],
  ['double quotes', 'say "hi"'],
  ['command substitution', '$(touch PWNED)'],
  ['backticks', '`touch PWNED`'],
  ['semicolon', 'a; touch PWNED'],
  ['and/or/pipe', 'a && touch PWNED || b | c'],
  ['redirect', 'x > PWNED'],
  ['newline', 'line1\nline2\n'],
  ['carriage return and tab', 'a\r\tb'],
  ['glob', '*'],
  ['glob and braces', '* ? [a-z] {a,b}'],
  ['variables', '$HOME ${PATH} $0 $$'],
  ['backslashes', 'a\\b\\\\c\\'],
  ['tilde and hash', '~ #not a comment'],
  ['bang', 'hello!world'],
  ['leading dash', '-n'],
  ['unicode', 'héllo wörld ✓ 日本語 🚀'],
  ['spaces only', '   '],
  ['everything', "'\"`$(){}[]*?;&|<>\\\n~#!%^"],
];

// /bin/sh is often dash itself; bash, when present, reads quotes differently in places, so it runs too.
const hasBash = ['/bin/bash', '/usr/bin/bash'].some((p) => existsSync(p));
const SHELLS = ['/bin/sh', 'dash', ...(hasBash ? ['bash'] : [])];

function run(shell: string, script: string, cwd: string): Buffer {
  return execFileSync(shell, ['-c', script], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
}

describe.each(SHELLS)('{{x}} round-trips through %s', (shell) => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'shipyaml-quote-'));

  it.each(HOSTILE)('%s', (_what, value) => {
    const script = renderTemplate("printf '%s' {{x}}", { x: value }, { what: 'test' });
    expect(run(shell, script, cwd).equals(Buffer.from(value, 'utf8'))).toBe(true);
  });

  it('never ran anything the values tried to run', () => {
    expect(existsSync(path.join(cwd, 'PWNED'))).toBe(false);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('passes each item of a list as its own word', () => {
    const roles = ["it's", '$(touch PWNED)', 'a b', '*'];
    const script = renderTemplate("printf '<%s>' {{host.roles}}", { host: { name: 'h', roles } }, { what: 'test' });
    expect(run(shell, script, cwd).toString('utf8')).toBe(roles.map((r) => `<${r}>`).join(''));
    expect(existsSync(path.join(cwd, 'PWNED'))).toBe(false);
  });

  it('passes an empty value as an empty word, not as nothing', () => {
    const script = renderTemplate("printf '<%s>' {{a}} {{b}}", { a: '', b: 'x' }, { what: 'test' });
    expect(run(shell, script, cwd).toString()).toBe('<><x>');
  });

  it('inserts {{{x}}} raw: the shell sees it as code (this is what the triple braces are for)', () => {
    const script = renderTemplate('{{{cmd}}}', { cmd: "printf '%s' raw" }, { what: 'test' });
    expect(run(shell, script, cwd).toString()).toBe('raw');
  });
});

describe('quoted forms', () => {
  it.each([
    ['plain', 'php8.3-fpm', 'php8.3-fpm'],
    ['space', 'a b', "'a b'"],
    ['quote', "it's", "'it'\\''s'"],
    ['number', 22, '22'],
    ['empty', '', "''"],
  ])('%s', (_what, value, rendered) => {
    expect(renderTemplate('{{x}}', { x: value }, { what: 'test' })).toBe(rendered);
  });

  it('is not HTML escaping', () => {
    expect(renderTemplate('{{x}}', { x: 'a<b>&c' }, { what: 'test' })).toBe("'a<b>&c'");
  });
});
