// Step 1: find the config file. cosmiconfig walks from the working directory up to the root;
// `-c FILE` names one. Loaders here only read: they wrap the text (or, for JS configs, the
// exported value) in a RawSource so that parsing, with positions, happens in parse.ts.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { importModule } from '../import-module.js';
import { MAX_CONFIG_BYTES } from './parse.js';
import { displayPath, type SourceKind } from './source.js';

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

export const PACKAGE_PROP = 'shipyaml';

/** What a loader hands back: unparsed text, or the value a JS config exported. */
export class RawSource {
  constructor(
    readonly kind: SourceKind,
    readonly text?: string,
    readonly value?: unknown,
  ) {}
}

export interface Found {
  file: string;
  /** undefined when the file is empty. */
  raw: RawSource | undefined;
}

const textLoader =
  (kind: SourceKind): Loader =>
  (_file, content) =>
    new RawSource(kind, content);

/** package.json counts only when it has a `shipyaml` key; otherwise the search goes on. */
const jsonLoader: Loader = (file, content) => {
  if (path.basename(file) !== 'package.json') return new RawSource('json', content);
  let hasKey: boolean;
  try {
    const pkg: unknown = JSON.parse(content);
    hasKey = pkg !== null && typeof pkg === 'object' && Object.hasOwn(pkg, PACKAGE_PROP);
  } catch {
    hasKey = content.includes(`"${PACKAGE_PROP}"`); // broken JSON: report it only if it is meant for us
  }
  return hasKey ? { [PACKAGE_PROP]: new RawSource('package-json', content) } : {};
};

const jsLoader: Loader = async (file) => {
  try {
    // As cosmiconfig's own JS loader does, but through importModule (the cached bundle's import()).
    const loaded = (await importModule(pathToFileURL(await realpath(file)).href)) as { default?: unknown };
    return new RawSource('js', undefined, loaded.default);
  } catch (e) {
    throw new ShipyamlError('E_CONFIG', `${file} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, {
      location: { file, line: 1, col: 1 },
      hint: 'Fix the error in the JavaScript config, or use deploy.yml.',
    });
  }
};

function explorer(stopDir: string, onlySearchPlaces: boolean) {
  return cosmiconfig(PACKAGE_PROP, {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'global', // cosmiconfig 9 only walks upwards with this (or a stopDir)
    stopDir,
    cache: false,
    ignoreEmptySearchPlaces: false, // an empty deploy.yml is reported, not skipped over
    mergeImportArrays: false,
    loaders: {
      '.yml': textLoader('yaml'),
      '.yaml': textLoader('yaml'),
      noExt: textLoader('yaml'),
      default: textLoader('yaml'),
      '.json': jsonLoader,
      '.js': jsLoader,
      '.mjs': jsLoader,
      '.cjs': jsLoader,
    },
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

export async function findConfig({ cwd, configFile, stopDir }: FindOptions): Promise<Found> {
  if (configFile !== undefined) {
    const file = path.resolve(cwd, configFile);
    const shown = displayPath(file, cwd);
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new ShipyamlError('E_CONFIG_NOT_FOUND', `config file ${shown} does not exist`);
    if (!info.isFile()) throw new ShipyamlError('E_CONFIG_NOT_FOUND', `config file ${shown} is not a file`);
    if (info.size > MAX_CONFIG_BYTES) {
      throw new ShipyamlError('E_CONFIG', `${shown} is larger than ${MAX_CONFIG_BYTES / 1024} KB: not a deploy config`);
    }
    const result = await explorer(path.parse(file).root, false).load(file);
    if (result === null) throw new ShipyamlError('E_CONFIG_NOT_FOUND', `${shown} has no "${PACKAGE_PROP}" key`);
    return { file, raw: unwrap(result.config) };
  }
  const start = path.resolve(cwd);
  const result = await explorer(stopDir ?? path.parse(start).root, true).search(start);
  if (result === null) throw notFound(`no deploy config found (deploy.yml)`, start);
  return { file: result.filepath, raw: unwrap(result.config) };
}
