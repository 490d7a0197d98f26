// The benchmark's working directory: a private copy of the built CLI (other engineers rebuild
// dist/ in the same checkout while this runs), the app with its two builds, and deploy.yml files
// pointing at the current fleet.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fleet } from '../../test/harness/sshd.js';
import { DEFAULT_SPEC, generateBuild, variantOf, writeBuild, type AppBuild } from './app-build.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface Workspace {
  dir: string;
  /** node + this file = the shipyaml CLI (a snapshot of dist/ taken at start). */
  cli: string;
  app: string;
  buildA: string;
  buildB: string;
  a: AppBuild;
  b: AppBuild;
  changed: string[];
  /** shipyaml's XDG_CACHE_HOME here (its build digests): emptied before each first deploy. */
  cacheHome: string;
  remove(): void;
}

export function createWorkspace(): Workspace {
  const base = process.env.SHIPYAML_BENCH_TMP ?? '/var/tmp';
  const dir = mkdtempSync(join(base, 'shipyaml-bench-'));
  // The snapshot resolves its dependencies through a link to the checkout's node_modules and
  // reads package.json, schema/ and recipes relative to dist/, as the installed package does.
  const pkg = join(dir, 'shipyaml');
  mkdirSync(pkg);
  for (const p of ['dist', 'schema', 'package.json']) cpSync(join(REPO, p), join(pkg, p), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));

  const app = join(dir, 'app');
  const a = generateBuild(DEFAULT_SPEC);
  const v = variantOf(a, DEFAULT_SPEC.seed + 1);
  const buildA = join(app, 'builds/a');
  const buildB = join(app, 'builds/b');
  writeBuild(a, buildA);
  writeBuild(v.build, buildB);
  return {
    dir,
    // The package's bin, as `npx shipyaml` runs it (its --version answers before main.cjs loads).
    cli: join(pkg, (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: { shipyaml: string } }).bin.shipyaml),
    app,
    buildA,
    buildB,
    a,
    b: v.build,
    changed: v.changed,
    cacheHome: join(dir, 'xdg-cache'),
    remove: () => {
      if (!process.env.SHIPYAML_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AppShape {
  deployTo: string;
  sharedFiles: string[];
  sharedDirs: string[];
  hooks: number;
  /** The stage's `parallel` (hosts prepared at once); unset: shipyaml's default. */
  parallel?: number;
}

export const STANDARD: Omit<AppShape, 'deployTo'> = { sharedFiles: ['.env'], sharedDirs: ['storage'], hooks: 1 };

/** Ten shared paths (5 files, 5 dirs) or ten hooks, for the round-trip comparison. */
export const TEN_SHARED: Omit<AppShape, 'deployTo'> = {
  sharedFiles: ['.env', 'shared-file-1', 'shared-file-2', 'shared-file-3', 'shared-file-4'],
  sharedDirs: ['storage', 'shared-dir-1', 'shared-dir-2', 'shared-dir-3', 'shared-dir-4'],
  hooks: 1,
};
export const ONE_SHARED: Omit<AppShape, 'deployTo'> = { sharedFiles: ['.env'], sharedDirs: [], hooks: 1 };
export const TEN_HOOKS: Omit<AppShape, 'deployTo'> = { sharedFiles: ['.env'], sharedDirs: [], hooks: 10 };

/** Writes NAME.yml (build a) and NAME-b.yml (build b) for this fleet; returns their file names. */
export function writeConfigs(ws: Workspace, fleet: Fleet, name: string, shape: AppShape): { a: string; b: string } {
  const hosts = fleet.hosts.map((h) => h.alias).join(', ');
  const tasks = Array.from({ length: shape.hooks }, (_, i) => `  migrate${i + 1}: { run: "true" }`).join('\n');
  const hooks = Array.from({ length: shape.hooks }, (_, i) => `migrate${i + 1}`).join(', ');
  const text = (build: string) => `app: bench
keep_releases: 5
source: { build: ${build} }
ssh: { config_file: ${JSON.stringify(fleet.sshConfig)} }
shared:
  files: [${shape.sharedFiles.join(', ')}]
  dirs: [${shape.sharedDirs.join(', ')}]
tasks:
${tasks}
hooks:
  before_switch: [${hooks}]
stages:
  production:
    deploy_to: ${shape.deployTo}
${shape.parallel ? `    parallel: ${shape.parallel}\n` : ''}    hosts: [${hosts}]
`;
  writeFileSync(join(ws.app, `${name}.yml`), text('./builds/a'));
  writeFileSync(join(ws.app, `${name}-b.yml`), text('./builds/b'));
  return { a: `${name}.yml`, b: `${name}-b.yml` };
}
