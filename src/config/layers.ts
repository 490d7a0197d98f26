// A stage's effective settings: the top level, then the stage over it, then (for deploy_to, user,
// vars) each host over that. Every value keeps the key path it came from, so a rule can point at
// the line that set it. How layers combine:
//   - scalars and lists: the later layer replaces (a stage's shared.dirs replaces the top's);
//   - sections (source, shared, healthcheck, ssh): key by key; setting one of two alternatives
//     (source build/git, healthcheck run/url) drops the other inherited one;
//   - vars and tasks: by name, a later entry of the same name replaces the earlier;
//   - hooks: per hook, a stage's list replaces the top-level list;
//   - healthcheck: false in a stage turns an inherited healthcheck off.
import type { HookName } from './stage-config.js';
import type { KeyPath } from './problems.js';
import type { DeployConfig, Host, Stage, Task, Var } from './schema-types.js';

export interface At<T> {
  value: T;
  path: KeyPath;
}

type Obj = Record<string, unknown>;
interface Layer {
  obj: Obj | undefined;
  path: KeyPath;
}

export interface EffectiveHost {
  index: number;
  path: KeyPath;
  local: boolean;
  /** The host name (string entry or `host:`); undefined for a local host. */
  name?: At<string>;
  port?: At<number>;
  user?: At<string>;
  roles: string[];
  deployTo?: At<string>;
  vars: Record<string, At<Var>>;
}

export type Section = Record<string, At<unknown> | undefined>;

export interface EffectiveStage {
  name: string;
  path: KeyPath;
  app: At<string>;
  keepReleases?: At<number>;
  parallel?: At<number>;
  rolling?: At<number>;
  source: Section;
  shared: Section;
  ssh: Section;
  /** false: turned off; an empty section: none configured. */
  healthcheck: Section | false;
  vars: Record<string, At<Var>>;
  tasks: Record<string, At<Task>>;
  hooks: Partial<Record<HookName, At<string[]>>>;
  hosts: EffectiveHost[];
}

function pick<T>(layers: readonly Layer[], key: string): At<T> | undefined {
  let found: At<T> | undefined;
  for (const l of layers) {
    if (l.obj && l.obj[key] !== undefined) found = { value: l.obj[key] as T, path: [...l.path, key] };
  }
  return found;
}

function section(layers: readonly Layer[], key: string, alternatives: readonly string[] = []): Section {
  const out: Section = {};
  for (const l of layers) {
    const sec = l.obj?.[key];
    if (sec === null || typeof sec !== 'object') continue;
    const entries = Object.entries(sec as Obj);
    if (entries.some(([k]) => alternatives.includes(k))) for (const alt of alternatives) delete out[alt];
    for (const [k, v] of entries) if (v !== undefined) out[k] = { value: v, path: [...l.path, key, k] };
  }
  return out;
}

function named<T>(layers: readonly Layer[], key: string): Record<string, At<T>> {
  const out: Record<string, At<T>> = {};
  for (const l of layers) {
    const map = l.obj?.[key];
    if (map === null || typeof map !== 'object') continue;
    for (const [name, v] of Object.entries(map as Obj)) out[name] = { value: v as T, path: [...l.path, key, name] };
  }
  return out;
}

function healthcheck(layers: readonly Layer[]): Section | false {
  const given = layers.map((l) => l.obj?.healthcheck).filter((h) => h !== undefined);
  if (given.at(-1) === false) return false;
  // Only layers after the last `false` contribute.
  const from = layers.reduce((i, l, idx) => (l.obj?.healthcheck === false ? idx + 1 : i), 0);
  return section(layers.slice(from), 'healthcheck', ['run', 'url']);
}

function host(entry: Host, index: number, stagePath: KeyPath, stageLayers: readonly Layer[], vars: Record<string, At<Var>>): EffectiveHost {
  const path = [...stagePath, 'hosts', index];
  if (typeof entry === 'string') {
    return { index, path, local: false, name: { value: entry, path }, user: pick(stageLayers, 'user'), roles: [], deployTo: pick(stageLayers, 'deploy_to'), vars };
  }
  const layers = [...stageLayers, { obj: entry as Obj, path }];
  return {
    index,
    path,
    local: entry.local === true,
    name: entry.host === undefined ? undefined : { value: entry.host, path: [...path, 'host'] },
    port: entry.port === undefined ? undefined : { value: entry.port, path: [...path, 'port'] },
    user: pick(layers, 'user'),
    roles: entry.roles ?? [],
    deployTo: pick(layers, 'deploy_to'),
    vars: { ...vars, ...named<Var>([{ obj: entry as Obj, path }], 'vars') },
  };
}

/** The stage must exist in raw.stages (resolveStage checks first). */
export function effectiveStage(raw: DeployConfig, name: string): EffectiveStage {
  const stage = raw.stages[name] as Stage;
  const stagePath: KeyPath = ['stages', name];
  const layers: Layer[] = [
    { obj: raw as unknown as Obj, path: [] },
    { obj: stage as unknown as Obj, path: stagePath },
  ];
  const hooks: EffectiveStage['hooks'] = {};
  for (const hook of ['before_switch', 'after_switch', 'after_rollback'] as const) {
    const list = section(layers, 'hooks')[hook];
    if (list) hooks[hook] = list as At<string[]>;
  }
  const vars = named<Var>(layers, 'vars');
  return {
    name,
    path: stagePath,
    app: { value: raw.app, path: ['app'] },
    keepReleases: pick(layers, 'keep_releases'),
    parallel: pick(layers, 'parallel'),
    rolling: pick(layers, 'rolling'),
    source: section(layers, 'source', ['build', 'git']),
    shared: section(layers, 'shared'),
    ssh: section(layers, 'ssh'),
    healthcheck: healthcheck(layers),
    vars,
    tasks: named<Task>(layers, 'tasks'),
    hooks,
    hosts: stage.hosts.map((h, i) => host(h, i, stagePath, layers, vars)),
  };
}
