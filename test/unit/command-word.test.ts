// commandWord (src/cli/command-word.ts): the command an argv runs, read before commander loads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandWord, VALUE_OPTIONS } from '../../src/cli/command-word.js';

const argv = (...a: string[]) => ['node', 'shipyaml', ...a];

describe('commandWord', () => {
  it('skips options and the values of the options that take one', () => {
    expect(commandWord(argv('deploy', 'production'))).toBe('deploy');
    expect(commandWord(argv('-c', 'deploy.yml', 'deploy', 'production'))).toBe('deploy');
    expect(commandWord(argv('--json', '--host', 'deploy', 'rollback', 'production'))).toBe('rollback');
    expect(commandWord(argv('--var', 'a=b', '--wait-lock', '5m', 'deploy', 'p'))).toBe('deploy');
    expect(commandWord(argv('--verbose'))).toBeUndefined();
    expect(commandWord(argv('--', 'deploy'))).toBeUndefined();
  });

  it('knows every global option of main.ts that takes a value', () => {
    // The program's global options are the .option() calls before its first .command().
    const src = readFileSync(new URL('../../src/cli/main.ts', import.meta.url), 'utf8');
    const globals = src.slice(src.indexOf("new Command('shipyaml')"), src.indexOf('.command('));
    const withValue = [...globals.matchAll(/\.option\('([^']+)'/g)].map((m) => m[1]!).filter((f) => f.includes('<'));
    const flags = withValue.flatMap((f) => f.split(/[ ,]+/).filter((w) => w.startsWith('-')));
    expect(flags.length).toBeGreaterThanOrEqual(5);
    expect(new Set(flags)).toEqual(new Set(VALUE_OPTIONS));
  });
});
