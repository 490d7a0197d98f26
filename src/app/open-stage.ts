import type { StageConfig } from '../config/stage-config.js';
import { loadConfig, parseDuration, resolveStage } from '../config/index.js';
import { secretValues } from '../plan/context.js';
import { closeAll, connectAll, phase, type Session } from '../run/session.js';
import { now } from '../run/events.js';
import { makeTransportFactory } from './transports.js';
import { parseVarFlags } from './options.js';
import { selectHosts } from './select-hosts.js';
import type { CommandContext } from './run-command.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';

/** Loads the config and resolves one stage with the command line's --var/--host/--role applied. */
export async function loadStage(ctx: CommandContext, stageName: string): Promise<StageConfig> {
  const loaded = await loadConfig({ cwd: ctx.opts.cwd ?? process.cwd(), configFile: ctx.opts.config });
  let vars: Record<string, string>;
  try {
    vars = parseVarFlags(ctx.opts.var);
  } catch (e) {
    throw new ShipyamlError('E_USAGE', (e as Error).message);
  }
  const stage = resolveStage(loaded, stageName, { vars, env: process.env });
  ctx.setSecrets(secretValues(stage));
  return selectHosts(stage, ctx.opts.host, ctx.opts.role);
}

/**
 * Connects to every selected host of the stage (phase `connect`), runs body, always closes.
 * `beforeConnect` starts work that needs no server (e.g. reading the build), so that it overlaps
 * with connecting; what it returns is handed to body.
 */
export async function withStage<T, E = undefined>(
  ctx: CommandContext,
  command: string,
  stageName: string,
  body: (s: Session, stage: StageConfig, early: E) => Promise<T>,
  beforeConnect?: (stage: StageConfig) => E,
): Promise<T> {
  const stage = await loadStage(ctx, stageName);
  const early = beforeConnect?.(stage) as E;
  ctx.emit({ type: 'start', time: now(), command, stage: stage.stage, app: stage.app, hosts: stage.hosts.map((h) => h.name) });
  const factory = await makeTransportFactory(stage, { acceptNewHostKeys: ctx.opts.acceptNewHostKeys === true });
  ctx.stageName = stage.stage;
  const base = { emit: ctx.emit, redact: ctx.redact, parallel: stage.parallel, signal: ctx.signal, leftovers: ctx.leftovers, waitLockMs: waitLockMs(ctx.opts.waitLock) };
  const transports = await phase(base, 'connect', () => connectAll(stage.hosts, factory, base));
  try {
    return await body({ ...base, transports }, stage, early);
  } finally {
    await closeAll(transports);
  }
}

function waitLockMs(text: string | undefined): number {
  if (text === undefined) return 0;
  const ms = parseDuration(text);
  if (ms === undefined) throw new ShipyamlError('E_USAGE', `--wait-lock ${JSON.stringify(text)} is not a duration`, { hint: 'Use a number with a unit: 30s, 5m, 1h.' });
  return ms;
}
