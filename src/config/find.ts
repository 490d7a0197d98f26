// Step 1: find the config file. cosmiconfig walks from the working directory up to the root;
// `-c FILE` names one. The common cases (a YAML or JSON config in the working directory, or
// named with -c) are served by find-direct.ts without importing cosmiconfig, exactly as
// cosmiconfig would serve them; everything else is cosmiconfig's.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { metaConfigMayApply } from './cosmiconfig-meta.js';
import { loadDirect, searchDirect } from './find-direct.js';
import { LOADERS, PACKAGE_PROP, RawSource, type Found } from './loaders.js';
import { MAX_CONFIG_BYTES } from './parse.js';
import { displayPath } from './source.js';

export { PACKAGE_PROP, RawSource, type Found } from './loaders.js';

/** In this order within one directory; the first that exists wins. */
export const SEARCH_PLACES = [
  'deploy.yml',
  'deploy.yaml',
  '.shipyamlrc',
  '.shipyamlrc.yml',
  '.shipyamlrc.yaml',
  '.shipyamlrc.json',
  'shipyaml.config.js',
  'shipyaml.config.mjs',
  'shipyaml.config.cjs',
  'package.json',
] as const;

async function explorer(stopDir: string, onlySearchPlaces: boolean) {
  const { cosmiconfig } = await import('cosmiconfig');
  return cosmiconfig(PACKAGE_PROP, {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'global', // cosmiconfig 9 only walks upwards with this (or a stopDir)
    stopDir,
    cache: false,
    ignoreEmptySearchPlaces: false, // an empty deploy.yml is reported, not skipped over
    mergeImportArrays: false,
    loaders: LOADERS,
    // 'global' ends with ~/.config/shipyaml/config*; a per-user deploy config is not a thing.
    transform: (result) =>
      result && (!onlySearchPlaces || (SEARCH_PLACES as readonly string[]).includes(path.basename(result.filepath)))
        ? result
        : null,
  });
}

function notFound(message: string, cwd: string): ShipyamlError {
  return new ShipyamlError('E_CONFIG_NOT_FOUND', message, {
    details: [`looked for ${SEARCH_PLACES.slice(0, -1).join(', ')} and a "${PACKAGE_PROP}" key in package.json, from ${cwd} upwards`],
  });
}

function unwrap(config: unknown): RawSource | undefined {
  if (config instanceof RawSource) return config;
  return undefined;
}

export interface FindOptions {
  cwd: string;
  /** -c FILE, relative to cwd. */
  configFile?: string;
  /** Where the upward search stops (inclusive); the file system root unless a test says otherwise. */
  stopDir?: string;
}

export async function findConfig(options: FindOptions): Promise<Found> {
  // A cosmiconfig meta config could change how cosmiconfig searches: then only it can say.
  if (!metaConfigMayApply()) {
    const { cwd, configFile } = options;
    const found =
      configFile === undefined ? await searchDirect(path.resolve(cwd), SEARCH_PLACES) : await loadDirect(await checkedFile(cwd, configFile));
    if (found) return found;
  }
  return findWithCosmiconfig(options);
}

/** -c FILE, absolute, once it is known to be a file of a sensible size. */
async function checkedFile(cwd: string, configFile: string): Promise<string> {
  const file = path.resolve(cwd, configFile);
  const shown = displayPath(file, cwd);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new ShipyamlError('E_CONFIG_NOT_FOUND', `config file ${shown} does not exist`);
  if (!info.isFile()) throw new ShipyamlError('E_CONFIG_NOT_FOUND', `config file ${shown} is not a file`);
  if (info.size > MAX_CONFIG_BYTES) {
    throw new ShipyamlError('E_CONFIG', `${shown} is larger than ${MAX_CONFIG_BYTES / 1024} KB: not a deploy config`);
  }
  return file;
}

/** The whole search (or load) by cosmiconfig: what findConfig does whenever find-direct.ts cannot. */
export async function findWithCosmiconfig({ cwd, configFile, stopDir }: FindOptions): Promise<Found> {
  if (configFile !== undefined) {
    const file = await checkedFile(cwd, configFile);
    const result = await (await explorer(path.parse(file).root, false)).load(file);
    if (result === null) throw new ShipyamlError('E_CONFIG_NOT_FOUND', `${displayPath(file, cwd)} has no "${PACKAGE_PROP}" key`);
    return { file, raw: unwrap(result.config) };
  }
  const start = path.resolve(cwd);
  const result = await (await explorer(stopDir ?? path.parse(start).root, true)).search(start);
  if (result === null) throw notFound(`no deploy config found (deploy.yml)`, start);
  return { file: result.filepath, raw: unwrap(result.config) };
}
