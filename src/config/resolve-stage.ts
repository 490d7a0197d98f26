// The stage-level half of the pipeline: effective settings (layers) -> named rules -> normalise.
// All problems of the stage are reported together.
import { ShipyamlError } from '../errors/shipyaml-error.js';
import type { LoadedConfig } from './load.js';
import { effectiveStage } from './layers.js';
import { locateProblems } from './locate.js';
import { normaliseStage } from './normalise.js';
import { problemsError, type Problem, type Result } from './problems.js';
import { fail } from './problems.js';
import { stageRules } from './rules/index.js';
import type { StageConfig } from './stage-config.js';
import { closest } from './suggest.js';

export interface ResolveOptions {
  /** --var name=value overrides. */
  vars?: Record<string, string>;
  /** Where `env:` vars are read from; process.env unless given. */
  env?: NodeJS.ProcessEnv;
  /** Fail on a required var without a value (default true; validateAll passes false). */
  requireVars?: boolean;
}

export function unknownStageError(loaded: LoadedConfig, name: string): ShipyamlError {
  const guess = closest(name, loaded.stages);
  const list = loaded.stages.join(', ');
  return new ShipyamlError(
    'E_STAGE',
    `stage "${name}" does not exist in ${loaded.source.display}${guess ? `; did you mean "${guess}"?` : ''} (stages: ${list})`,
    { hint: `Use one of the stages defined under stages: ${list}.` },
  );
}

/** Like resolveStage, but returns the problems instead of throwing them. */
export function tryResolveStage(loaded: LoadedConfig, name: string, options: ResolveOptions = {}): Result<StageConfig> {
  const overrides = options.vars ?? {};
  const effective = effectiveStage(loaded.raw, name);
  const ruleProblems = stageRules(effective, { dir: loaded.dir, overrideNames: Object.keys(overrides), source: loaded.source });
  if (ruleProblems.length > 0) return fail(locateProblems(loaded.source, ruleProblems));
  const result = normaliseStage(effective, {
    file: loaded.file,
    dir: loaded.dir,
    source: loaded.source,
    overrides,
    env: options.env ?? process.env,
    requireVars: options.requireVars ?? true,
  });
  return result.ok ? result : fail(locateProblems(loaded.source, result.problems));
}

export function resolveStage(loaded: LoadedConfig, name: string, options: ResolveOptions = {}): StageConfig {
  if (!Object.hasOwn(loaded.raw.stages, name)) throw unknownStageError(loaded, name);
  const result = tryResolveStage(loaded, name, options);
  if (!result.ok) throw problemsError(loaded.source.display, result.problems);
  return result.value;
}

/**
 * Every stage resolved, every problem of every stage in one error (each reported once, though a
 * top-level mistake affects all stages). For `shipyaml validate` without a stage.
 */
export function validateAll(loaded: LoadedConfig, options: ResolveOptions = {}): StageConfig[] {
  const opts = { requireVars: false, ...options };
  const problems: Problem[] = [];
  const stages: StageConfig[] = [];
  for (const name of loaded.stages) {
    const r = tryResolveStage(loaded, name, opts);
    if (r.ok) stages.push(r.value);
    else problems.push(...r.problems);
  }
  if (problems.length > 0) throw problemsError(loaded.source.display, problems);
  return stages;
}
