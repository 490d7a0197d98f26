// The named semantic rules a stage must pass beyond the schema, in the order they report.
import type { Problem } from '../problems.js';
import type { EffectiveStage } from '../layers.js';
import type { RuleContext, StageRule } from './context.js';
import { deployToRule } from './deploy-to.js';
import { excludeRule } from './exclude.js';
import { healthcheckRule } from './healthcheck.js';
import { sshRule } from './ssh.js';
import { hooksRule } from './hooks.js';
import { hostsRule } from './hosts.js';
import { localPathsRule } from './local-paths.js';
import { sharedPathsRule } from './shared-paths.js';
import { templatesRule } from './templates.js';
import { recipeVarsRule } from '../recipes/required-vars.js';

export const STAGE_RULES: Record<string, StageRule> = {
  deployTo: deployToRule,
  hosts: hostsRule,
  localPaths: localPathsRule,
  sharedPaths: sharedPathsRule,
  exclude: excludeRule,
  hooks: hooksRule,
  healthcheck: healthcheckRule,
  ssh: sshRule,
  templates: templatesRule,
  recipeVars: recipeVarsRule,
};

export function stageRules(stage: EffectiveStage, ctx: RuleContext): Problem[] {
  return Object.values(STAGE_RULES).flatMap((rule) => rule(stage, ctx));
}

export type { RuleContext, StageRule };
