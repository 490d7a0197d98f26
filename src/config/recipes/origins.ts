// Where each key of a merged config came from. Merging recipes into one DeployConfig keeps the
// rest of the pipeline unchanged; this map is what lets a problem in a recipe's task still point
// at the recipe's own file:line:col (locate() asks it first).
import type { KeyPath } from '../problems.js';
import type { ConfigSource, OriginMap } from '../source.js';
import type { RecipeInfo } from './types.js';

export interface Origin {
  source: ConfigSource;
  path: KeyPath;
  /** Set when the value came from a recipe (not from the app's own file). */
  recipe?: RecipeInfo;
}

const keyOf = (path: KeyPath): string => JSON.stringify(path);

export class Origins implements OriginMap {
  private readonly byPath = new Map<string, Origin>();

  set(path: KeyPath, origin: Origin): void {
    this.byPath.set(keyOf(path), origin);
  }

  /** Forgets a path and everything under it (a value a later layer dropped). */
  drop(path: KeyPath): void {
    const prefix = keyOf(path).slice(0, -1);
    for (const k of [...this.byPath.keys()]) if (k === `${prefix}]` || k.startsWith(`${prefix},`)) this.byPath.delete(k);
  }

  /** The longest recorded prefix of path decides; the rest of the path is the same below it. */
  find(path: KeyPath): Origin | undefined {
    for (let n = path.length; n >= 1; n--) {
      const o = this.byPath.get(keyOf(path.slice(0, n)));
      if (o) return { ...o, path: [...o.path, ...path.slice(n)] };
    }
    return undefined;
  }
}
