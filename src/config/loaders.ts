// How a config file's content becomes what parse.ts reads. Loaders here only read: they wrap the
// text (or, for JS configs, the exported value) in a RawSource so that parsing, with positions,
// happens in parse.ts. The same loaders serve cosmiconfig and find-direct.ts, which must agree.
import path from 'node:path';
import type { Loader } from 'cosmiconfig';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import type { SourceKind } from './source.js';

export const PACKAGE_PROP = 'shipyaml';

/** What a loader hands back: unparsed text, or the value a JS config exported. */
export class RawSource {
  constructor(
    readonly kind: SourceKind,
    readonly text?: string,
    readonly value?: unknown,
  ) {}
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

/** Runs the config, so it needs cosmiconfig's JS loader: imported only for a JS config. */
const jsLoader: Loader = async (file, content) => {
  const { defaultLoaders } = await import('cosmiconfig');
  try {
    return new RawSource('js', undefined, await defaultLoaders['.js']!(file, content));
  } catch (e) {
    throw new ShipyamlError('E_CONFIG', `${file} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, {
      location: { file, line: 1, col: 1 },
      hint: 'Fix the error in the JavaScript config, or use deploy.yml.',
    });
  }
};

/** A config file found (or named), and its content; raw is undefined when the file is empty. */
export interface Found {
  file: string;
  raw: RawSource | undefined;
}

/** By extension, as cosmiconfig keys them ('noExt' for none, 'default' for any other). */
export const LOADERS: Record<string, Loader> = {
  '.yml': textLoader('yaml'),
  '.yaml': textLoader('yaml'),
  noExt: textLoader('yaml'),
  default: textLoader('yaml'),
  '.json': jsonLoader,
  '.js': jsLoader,
  '.mjs': jsLoader,
  '.cjs': jsLoader,
};

/** The loader cosmiconfig picks for a file (its own lookup, so both paths pick the same one). */
export function loaderFor(file: string): Loader {
  const extension = path.extname(file);
  return LOADERS[extension || 'noExt'] ?? LOADERS.default!;
}

/** Loaders that only wrap text: a file they read can be loaded without cosmiconfig. */
export function isTextLoader(loader: Loader): boolean {
  return loader !== jsLoader;
}
