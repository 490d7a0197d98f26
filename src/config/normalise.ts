// EffectiveStage (rules passed) -> StageConfig: defaults filled, durations in ms, local paths
// absolute (resolved against the config file's directory), tasks with their source positions.
import path from 'node:path';
import { DEFAULTS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { At, EffectiveHost, EffectiveStage, Section } from './layers.js';
import { locate } from './locate.js';
import { normaliseRelative, resolveLocal } from './paths.js';
import type { Problem, Result } from './problems.js';
import { fail, ok } from './problems.js';
import type { ConfigSource } from './source.js';
import type { Task } from './schema-types.js';
import type { HealthcheckSpec, HookName, HostSpec, SourceSpec, StageConfig, TaskSpec } from './stage-config.js';
import { HOOK_NAMES } from './stage-config.js';
import { resolveVars, type VarOptions } from './vars.js';

export interface NormaliseContext extends VarOptions {
  file: string;
  dir: string;
  source: ConfigSource;
}

const val = <T>(s: Section, key: string): T | undefined => s[key]?.value as T | undefined;
const ms = (text: string | undefined, fallback: string): number => parseDuration(text ?? fallback) ?? 0;

function sourceSpec(s: Section, dir: string): SourceSpec {
  const git = val<{ repo: string; ref?: string }>(s, 'git');
  if (git) return { kind: 'git', repo: git.repo, ref: git.ref ?? DEFAULTS.gitRef };
  return { kind: 'upload', build: resolveLocal(dir, val<string>(s, 'build') ?? DEFAULTS.build), exclude: val<string[]>(s, 'exclude') ?? [] };
}

function taskSpec(name: string, t: At<Task>, source: ConfigSource): TaskSpec {
  if (typeof t.value === 'string') return { name, run: t.value, once: false, roles: [], location: locate(source, t.path) };
  return { name, run: t.value.run, once: t.value.once ?? false, roles: t.value.roles ?? [], location: locate(source, [...t.path, 'run']) };
}

function healthcheckSpec(hc: Section | false, source: ConfigSource): HealthcheckSpec | undefined {
  if (hc === false || (!hc.run && !hc.url)) return undefined;
  const d = DEFAULTS.healthcheck;
  return {
    run: val<string>(hc, 'run'),
    url: val<string>(hc, 'url'),
    retries: val<number>(hc, 'retries') ?? d.retries,
    intervalMs: ms(val(hc, 'interval'), d.interval),
    timeoutMs: ms(val(hc, 'timeout'), d.timeout),
    location: locate(source, (hc.run ?? hc.url)!.path),
  };
}

function hostSpec(h: EffectiveHost, ctx: NormaliseContext, problems: Problem[]): HostSpec {
  const vars = resolveVars(h.vars, ctx);
  problems.push(...vars.problems);
  const deployTo = h.deployTo!.value;
  return {
    name: h.local ? 'local' : h.name!.value,
    local: h.local,
    hostname: h.local ? 'localhost' : h.name!.value,
    port: h.port?.value,
    user: h.user?.value,
    roles: h.roles,
    deployTo: h.local ? resolveLocal(ctx.dir, deployTo) : path.posix.normalize(deployTo).replace(/(.)\/+$/, '$1'),
    vars: vars.vars,
  };
}

export function normaliseStage(s: EffectiveStage, ctx: NormaliseContext): Result<StageConfig> {
  const problems: Problem[] = [];
  const vars = resolveVars(s.vars, ctx);
  problems.push(...vars.problems);
  const hosts = s.hosts.map((h) => hostSpec(h, ctx, problems));
  const hooks = Object.fromEntries(HOOK_NAMES.map((n) => [n, s.hooks[n]?.value ?? []])) as Record<HookName, string[]>;
  const tasks = Object.fromEntries(Object.entries(s.tasks).map(([name, t]) => [name, taskSpec(name, t, ctx.source)]));
  const ssh = s.ssh;
  const config: StageConfig = {
    file: ctx.file,
    dir: ctx.dir,
    app: s.app.value,
    stage: s.name,
    keepReleases: s.keepReleases?.value ?? DEFAULTS.keepReleases,
    source: sourceSpec(s.source, ctx.dir),
    shared: {
      files: (val<string[]>(s.shared, 'files') ?? []).map(normaliseRelative),
      dirs: (val<string[]>(s.shared, 'dirs') ?? []).map(normaliseRelative),
      group: val<string>(s.shared, 'group'),
    },
    vars: vars.vars,
    tasks,
    hooks,
    healthcheck: healthcheckSpec(s.healthcheck, ctx.source),
    parallel: s.parallel?.value ?? DEFAULTS.parallel,
    rolling: s.rolling?.value,
    ssh: {
      configFile: ssh.config_file ? resolveLocal(ctx.dir, ssh.config_file.value as string) : undefined,
      identityFile: ssh.identity_file ? resolveLocal(ctx.dir, ssh.identity_file.value as string) : undefined,
      connectTimeoutMs: ms(val(ssh, 'connect_timeout'), DEFAULTS.ssh.connectTimeout),
      keepaliveMs: ms(val(ssh, 'keepalive'), DEFAULTS.ssh.keepalive),
      forwardAgent: val<boolean>(ssh, 'forward_agent') ?? DEFAULTS.ssh.forwardAgent,
    },
    hosts,
  };
  return problems.length > 0 ? fail(problems) : ok(config);
}
