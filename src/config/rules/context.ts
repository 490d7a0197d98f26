// What a stage rule gets besides the stage itself.
import type { EffectiveStage } from '../layers.js';
import type { Problem } from '../problems.js';
import type { ConfigSource } from '../source.js';

export interface RuleContext {
  /** The config file's directory: local relative paths resolve against it. */
  dir: string;
  /** Names given with --var, which templates may use even when no vars: entry declares them. */
  overrideNames: readonly string[];
  /** The app's file, with the origins of merged recipe keys (rules that must name a recipe). */
  source?: ConfigSource;
}

export type StageRule = (stage: EffectiveStage, ctx: RuleContext) => Problem[];
