// The resolved shape that everything after config/ works with: one stage, recipes merged,
// stage and host overrides applied, defaults filled, paths absolute. The raw shape of deploy.yml
// lives in schema/deploy.schema.json (types generated in schema-types.ts); this is its output.
import type { SourceLocation } from '../errors/shipyaml-error.js';

export interface VarValue {
  value: string;
  secret: boolean;
}

export interface HostSpec {
  /** How the host is called in output and --host: the entry's `host`, or "local". */
  name: string;
  local: boolean;
  /** Address to connect to (ssh config HostName applies later, in transport/ssh). */
  hostname: string;
  port?: number;
  user?: string;
  roles: string[];
  /** Absolute path on that host. */
  deployTo: string;
  /** Host-level vars, already merged over the stage's. */
  vars: Record<string, VarValue>;
}

export interface TaskSpec {
  name: string;
  /** Handlebars template of a POSIX sh script. */
  run: string;
  once: boolean;
  /** When set, the task runs only on hosts with one of these roles (with once: the first of them). */
  roles: string[];
  location?: SourceLocation;
}

export type HookName = 'before_switch' | 'after_switch' | 'after_rollback';
export const HOOK_NAMES: readonly HookName[] = ['before_switch', 'after_switch', 'after_rollback'];

export type SourceSpec =
  | { kind: 'upload'; build: string; exclude: string[] }
  | { kind: 'git'; repo: string; ref: string };

export interface HealthcheckSpec {
  run?: string;
  url?: string;
  retries: number;
  intervalMs: number;
  timeoutMs: number;
  location?: SourceLocation;
}

export interface SshOptions {
  configFile?: string;
  identityFile?: string;
  connectTimeoutMs: number;
  keepaliveMs: number;
  forwardAgent: boolean;
}

export interface StageConfig {
  /** Absolute path of the config file; relative paths were resolved against its directory. */
  file: string;
  dir: string;
  app: string;
  stage: string;
  keepReleases: number;
  source: SourceSpec;
  shared: { files: string[]; dirs: string[]; group?: string };
  vars: Record<string, VarValue>;
  tasks: Record<string, TaskSpec>;
  hooks: Record<HookName, string[]>;
  healthcheck?: HealthcheckSpec;
  parallel: number;
  rolling?: number;
  ssh: SshOptions;
  hosts: HostSpec[];
}
