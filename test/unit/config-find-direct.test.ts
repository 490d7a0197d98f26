// find-direct.ts finds the config without cosmiconfig in the common cases; whenever it answers, the
// answer must be cosmiconfig's, and it must decline (undefined) whenever it cannot be sure.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { metaConfigMayApply } from '../../src/config/cosmiconfig-meta.js';
import { loadDirect, searchDirect } from '../../src/config/find-direct.js';
import { findConfig, findWithCosmiconfig, SEARCH_PLACES, type Found } from '../../src/config/find.js';
import { project } from '../fixtures/config/project.js';

const YAML = 'app: x\nstages:\n  p:\n    hosts: [web1]\n';
const JSON_TEXT = JSON.stringify({ app: 'x', stages: { p: { hosts: ['web1'] } } });

type Outcome = Found | { error: string };
const outcome = async (p: Promise<Found>): Promise<Outcome> => p.catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));

/** [what, files; a file name ending in / is a directory] */
const LAYOUTS: [string, Record<string, string>][] = [
  ...SEARCH_PLACES.map((place): [string, Record<string, string>] => [place, { [place]: place.endsWith('.json') ? JSON_TEXT : place.includes('.config.') ? 'module.exports = {};' : YAML }]),
  ['empty deploy.yml', { 'deploy.yml': '' }],
  ['blank deploy.yml', { 'deploy.yml': ' \n\t\n' }],
  ['comment-only deploy.yml', { 'deploy.yml': '# soon\n' }],
  ['deploy.yml is a directory', { 'deploy.yml/': '', 'deploy.yaml': YAML }],
  ['deploy.yml before package.json', { 'deploy.yml': YAML, 'package.json': JSON.stringify({ shipyaml: {} }) }],
  ['.shipyamlrc.json, broken', { '.shipyamlrc.json': '{ nope' }],
  ['.shipyamlrc.json before a JS config', { '.shipyamlrc.json': JSON_TEXT, 'shipyaml.config.cjs': 'throw new Error("not run")' }],
  ['package.json without the key, config further up', { 'package.json': '{"name":"a"}' }],
  ['nothing here', {}],
];

async function layout(files: Record<string, string>): Promise<string> {
  const dir = await project({ 'up/deploy.yml': YAML });
  const here = path.join(dir, 'up/here');
  await mkdir(here, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('/')) await mkdir(path.join(here, name), { recursive: true });
    else await writeFile(path.join(here, name), text);
  }
  return here;
}

describe('searchDirect', () => {
  it.each(LAYOUTS)('finds what cosmiconfig finds, or leaves it to cosmiconfig: %s', async (_what, files) => {
    const here = await layout(files);
    const stopDir = path.dirname(path.dirname(here));
    const direct = await searchDirect(here, SEARCH_PLACES);
    const cosmic = await outcome(findWithCosmiconfig({ cwd: here, stopDir }));
    if (direct !== undefined) expect(direct).toEqual(cosmic);
    expect(await outcome(findConfig({ cwd: here, stopDir }))).toEqual(cosmic);
  });

  it('serves the common cases itself', async () => {
    for (const files of [{ 'deploy.yml': YAML }, { 'deploy.yaml': YAML }, { '.shipyamlrc.json': JSON_TEXT }, { 'deploy.yml': '' }]) {
      expect(await searchDirect(await layout(files), SEARCH_PLACES)).toBeDefined();
    }
  });

  it('leaves JS configs, package.json and the upward search to cosmiconfig', async () => {
    for (const files of [{ 'shipyaml.config.mjs': 'export default {}' }, { 'package.json': JSON.stringify({ shipyaml: {} }) }, {}]) {
      expect(await searchDirect(await layout(files), SEARCH_PLACES)).toBeUndefined();
    }
  });
});

describe('loadDirect (-c FILE)', () => {
  const NAMED: [string, string][] = [
    ['conf/prod.yml', YAML],
    ['ship.conf', YAML],
    ['noext', YAML],
    ['x.json', JSON_TEXT],
    ['x.JSON', YAML],
    ['empty.yml', '\n'],
    ['package.json', '{"name":"x"}'],
    ['package.yml', YAML],
    ['x.cjs', 'module.exports = { app: "x" };'],
  ];

  it.each(NAMED)('loads %s as cosmiconfig does, or leaves it to cosmiconfig', async (name, text) => {
    const dir = await project({ [name]: text });
    const direct = await loadDirect(path.join(dir, name));
    const cosmic = await outcome(findWithCosmiconfig({ cwd: dir, configFile: name }));
    if (direct !== undefined) expect(direct).toEqual(cosmic);
    expect(await outcome(findConfig({ cwd: dir, configFile: name }))).toEqual(cosmic);
  });

  it('leaves package.* and JS files to cosmiconfig', async () => {
    const dir = await project({ 'package.json': '{}', 'package.yml': YAML, 'a.mjs': 'export default {}' });
    for (const name of ['package.json', 'package.yml', 'a.mjs']) expect(await loadDirect(path.join(dir, name))).toBeUndefined();
  });
});

describe('metaConfigMayApply', () => {
  const CASES: [string, Record<string, string>, boolean][] = [
    ['no meta config places', { 'deploy.yml': YAML }, false],
    ['package.json of an ordinary project', { 'package.json': JSON.stringify({ name: 'a', dependencies: { cosmiconfig: '9' } }) }, false],
    ['package.json with a cosmiconfig key', { 'package.json': JSON.stringify({ cosmiconfig: { searchPlaces: ['x.yml'] } }) }, true],
    ['broken package.json', { 'package.json': '{' }, true],
    ['empty package.json', { 'package.json': '' }, true],
    ['package.json that is not a mapping', { 'package.json': 'null' }, true],
    ['package.yaml', { 'package.yaml': 'name: a\n' }, true],
    ['.config/config.yml', { '.config/config.yml': 'x: 1\n' }, true],
    ['.config/config.mjs', { '.config/config.mjs': 'export default {}' }, true],
  ];
  it.each(CASES)('%s', async (_what, files, expected) => {
    expect(metaConfigMayApply(await project(files))).toBe(expected);
  });

  it('covers every place cosmiconfig reads a meta config from', async () => {
    const { metaSearchPlaces } = (await import('cosmiconfig/dist/defaults.js')) as { metaSearchPlaces: string[] };
    for (const place of metaSearchPlaces) {
      const files = { [place]: place === 'package.json' ? JSON.stringify({ cosmiconfig: {} }) : 'x: 1\n' };
      expect(metaConfigMayApply(await project(files)), place).toBe(true);
    }
  });
});
