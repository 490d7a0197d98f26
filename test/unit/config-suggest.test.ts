import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../src/config/suggest.js';
import { formatKeyPath, describeValue } from '../../src/config/problems.js';
import { parseDuration } from '../../src/config/duration.js';

describe('editDistance', () => {
  it.each([
    ['hosts', 'hosts', 0],
    ['hostz', 'hosts', 1],
    ['hsots', 'hosts', 1], // a swap counts once
    ['keep_release', 'keep_releases', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s -> %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('closest / didYouMean', () => {
  const keys = ['app', 'deploy_to', 'keep_releases', 'hooks', 'healthcheck', 'stages'];
  it.each([
    ['healthchek', 'healthcheck'],
    ['Stages', 'stages'],
    ['deploy_path', 'deploy_to'], // a synonym, too far for the edit distance
    ['hook', 'hooks'],
    ['xyz', undefined],
    ['ap', 'app'],
  ])('%s -> %s', (word, expected) => {
    expect(closest(word, keys)).toBe(expected);
  });

  it('guesses a stage from an unambiguous beginning', () => {
    expect(closest('prod', ['production', 'staging'])).toBe('production');
    expect(closest('pro', ['production', 'preview', 'promo'])).toBeUndefined();
  });

  it('formats the suggestion, or nothing', () => {
    expect(didYouMean('hostz', ['hosts'])).toBe('; did you mean "hosts"?');
    expect(didYouMean('zzzzz', ['hosts'])).toBe('');
  });
});

describe('key paths and found values', () => {
  it.each([
    [['stages', 'production', 'hosts', 0, 'port'], 'stages.production.hosts[0].port'],
    [['stages', 'prod env'], 'stages["prod env"]'],
    [['stages', 'eu-1', 'vars', 'x'], 'stages.eu-1.vars.x'],
    [[], ''],
  ] as [(string | number)[], string][])('%j -> %s', (path, text) => {
    expect(formatKeyPath(path)).toBe(text);
  });

  it.each([
    ['22x', '"22x"'],
    [22, '22'],
    [null, 'nothing'],
    [[1], 'a list'],
    [{ a: 1 }, 'a mapping'],
    ['x'.repeat(100), `"${'x'.repeat(57)}..."`],
  ])('%j is shown as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['0s', 0],
    ['2.5s', 2500],
    ['2', undefined],
    ['2 s', undefined],
    ['1d', undefined],
  ])('%s -> %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
