import { loadConfig, resolveStage } from '../config/index.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { buildDeployPlan } from '../plan/build-plan.js';
import { relative } from 'node:path';
import type { CommandContext, CommandOutcome } from './run-command.js';

/**
 * `validate [STAGE]`: the config as the deploy would read it — schema, rules, and every template
 * rendered (so an unknown name is found now, not on the server). Changes nothing anywhere.
 */
export async function validateCommand(ctx: CommandContext, stageName?: string): Promise<CommandOutcome> {
  const cwd = ctx.opts.cwd ?? process.cwd();
  const loaded = await loadConfig({ cwd, configFile: ctx.opts.config });
  const stages = stageName ? [stageName] : loaded.stages;
  const problems: string[] = [];
  let first: ShipyamlError | undefined;
  for (const name of stages) {
    try {
      // All stages at once: vars that come from the environment are only required for a named
      // stage (CI validating production has its secrets; a laptop checking syntax does not).
      const stage = resolveStage(loaded, name, { vars: {}, env: process.env, requireVars: stageName !== undefined });
      buildDeployPlan({ stage, releaseId: '20000101-000000', states: new Map() });
    } catch (e) {
      if (!(e instanceof ShipyamlError)) throw e;
      first ??= e;
      const lines = e.details.length ? e.details : [e.message];
      for (const l of lines) if (!problems.includes(l)) problems.push(l);
    }
  }
  const file = relative(cwd, loaded.file) || loaded.file;
  if (first) {
    if (problems.length === 1) throw first;
    throw new ShipyamlError('E_CONFIG', `${file} has ${problems.length} problems`, { details: problems });
  }
  return { message: `${file} is valid (${stages.length} stage${stages.length === 1 ? '' : 's'}: ${stages.join(', ')})` };
}
