// Recipes and the app's file -> one config, applied in order (each later layer over the earlier):
//   deploy_to, keep_releases, parallel, rolling: the later value replaces the earlier;
//   source, shared, ssh: key by key (shared.dirs replaces shared.dirs); setting source.build or
//     source.git drops the other one inherited;
//   healthcheck: key by key (run and url replace each other); false turns an inherited one off;
//   vars, tasks: by name; a later entry of the same name replaces the earlier one whole;
//   hooks: per hook, lists extend (earlier layers first); a task an earlier layer already runs
//     at that hook is not added again; "!name" removes name from what earlier layers gave.
// `extends` is consumed here; app and stages belong to the app's file only.
import type { KeyPath, Problem } from '../problems.js';
import type { DeployConfig } from '../schema-types.js';
import type { ConfigSource } from '../source.js';
import { HOOK_NAMES } from '../stage-config.js';
import { locate } from '../locate.js';
import { Origins, type Origin } from './origins.js';
import type { RecipeConfig, RecipeInfo } from './types.js';

export interface Layer {
  raw: RecipeConfig;
  source: ConfigSource;
  /** Absent for the app's own file. */
  recipe?: RecipeInfo;
}

type Rule = 'replace' | 'section' | 'healthcheck' | 'named' | 'hooks' | 'consumed';

/** Every key a recipe may have, with how it merges: the compiler refuses a key left out. */
export const MERGE_RULES = {
  extends: 'consumed',
  deploy_to: 'replace',
  keep_releases: 'replace',
  source: 'section',
  shared: 'section',
  vars: 'named',
  tasks: 'named',
  hooks: 'hooks',
  healthcheck: 'healthcheck',
  parallel: 'replace',
  rolling: 'replace',
  ssh: 'section',
} as const satisfies Record<keyof Required<RecipeConfig>, Rule>;

/** Keys of a section that are alternatives: setting one drops the others inherited. */
const ALTERNATIVES: Record<string, readonly string[]> = { source: ['build', 'git'], healthcheck: ['run', 'url'] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface Merged {
  config: DeployConfig;
  origins: Origins;
  problems: Problem[];
}

class Merger {
  readonly out: Obj = {};
  readonly origins = new Origins();
  readonly problems: Problem[] = [];

  constructor(private readonly layers: readonly Layer[]) {}

  private from(l: Layer, path: KeyPath): Origin {
    return { source: l.source, path, recipe: l.recipe };
  }

  private mark(l: Layer, path: KeyPath): void {
    this.origins.drop(path);
    this.origins.set(path, this.from(l, path));
  }

  replace(key: string): void {
    for (const l of this.layers) {
      const v = (l.raw as Obj)[key];
      if (v === undefined) continue;
      this.out[key] = v;
      this.mark(l, [key]);
    }
  }

  section(key: string): void {
    const alternatives = ALTERNATIVES[key] ?? [];
    let sec: Obj | false | undefined;
    for (const l of this.layers) {
      const v = (l.raw as Obj)[key];
      if (v === undefined) continue;
      if (v === false) {
        sec = false; // only healthcheck may be false (the schema says so)
        this.mark(l, [key]);
        continue;
      }
      if (!isObj(v)) continue;
      if (sec === undefined || sec === false) sec = {};
      this.origins.set([key], this.from(l, [key]));
      const given = Object.keys(v);
      if (given.some((k) => alternatives.includes(k))) {
        for (const alt of alternatives) {
          delete sec[alt];
          this.origins.drop([key, alt]);
        }
      }
      for (const k of given) {
        sec[k] = v[k];
        this.mark(l, [key, k]);
      }
    }
    if (sec !== undefined) this.out[key] = sec;
  }

  named(key: string): void {
    let map: Obj | undefined;
    for (const l of this.layers) {
      const v = (l.raw as Obj)[key];
      if (!isObj(v)) continue;
      map ??= {};
      this.origins.set([key], this.from(l, [key]));
      for (const [name, entry] of Object.entries(v)) {
        map[name] = entry;
        this.mark(l, [key, name]);
      }
    }
    if (map !== undefined) this.out[key] = map;
  }

  hooks(): void {
    const hooks: Obj = {};
    for (const hook of HOOK_NAMES) {
      let list: { name: string; layer: Layer; origin: Origin }[] | undefined;
      let last: Layer | undefined;
      for (const l of this.layers) {
        const entries = l.raw.hooks?.[hook];
        if (!Array.isArray(entries)) continue;
        list ??= [];
        last = l;
        entries.forEach((entry, i) => {
          const path = ['hooks', hook, i];
          if (entry.startsWith('!')) {
            const name = entry.slice(1);
            const at = list!.findIndex((x) => x.name === name);
            if (at >= 0) list!.splice(at, 1);
            else this.removesNothing(l, path, hook, name, list!.map((x) => x.name));
            return;
          }
          // A task a recipe already runs here is not run twice; repeats within one file stay.
          if (list!.some((x) => x.name === entry && x.layer !== l)) return;
          list!.push({ name: entry, layer: l, origin: this.from(l, path) });
        });
      }
      if (!list || !last) continue;
      hooks[hook] = list.map((x) => x.name);
      this.mark(last, ['hooks', hook]);
      list.forEach((x, i) => this.origins.set(['hooks', hook, i], x.origin));
    }
    const lastWithHooks = this.layers.filter((l) => l.raw.hooks !== undefined).at(-1);
    if (lastWithHooks) {
      this.origins.set(['hooks'], this.from(lastWithHooks, ['hooks']));
      this.out.hooks = hooks;
    }
  }

  private removesNothing(l: Layer, path: KeyPath, hook: string, name: string, present: string[]): void {
    const has = present.length ? `${hook} has ${present.join(', ')} from the recipes before it` : `no recipe before it adds tasks to ${hook}`;
    this.problems.push({ path, message: `removes task "${name}", which is not in ${hook}: ${has}`, location: locate(l.source, path) });
  }
}

/** The app's file is the last layer; its app and stages are taken as they are. */
export function mergeLayers(recipes: readonly Layer[], file: { raw: DeployConfig; source: ConfigSource }): Merged {
  const m = new Merger([...recipes, { raw: file.raw, source: file.source }]);
  for (const [key, rule] of Object.entries(MERGE_RULES) as [string, Rule][]) {
    if (rule === 'replace') m.replace(key);
    else if (rule === 'section' || rule === 'healthcheck') m.section(key);
    else if (rule === 'named') m.named(key);
    else if (rule === 'hooks') m.hooks();
  }
  const config = { app: file.raw.app, ...m.out, stages: file.raw.stages } as DeployConfig;
  return { config, origins: m.origins, problems: m.problems };
}
