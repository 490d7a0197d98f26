// Rules on the file as a whole (recipes merged), checked once at load (not per stage).
import { RESERVED_NAMES } from '../../template/names.js';
import type { KeyPath, Problem } from '../problems.js';
import type { DeployConfig, Vars } from '../schema-types.js';

/**
 * "!name" removes a task that recipes put in a hook, and recipes merge only into the top level
 * (config/recipes/merge.ts). A stage's hook list replaces the top-level list whole, so there a
 * "!name" would remove nothing: say how to get the list wanted instead.
 */
function stageHookRemovals(raw: DeployConfig): Problem[] {
  const problems: Problem[] = [];
  for (const [stageName, stage] of Object.entries(raw.stages)) {
    for (const [hook, list] of Object.entries(stage?.hooks ?? {}) as [string, string[] | undefined][]) {
      (list ?? []).forEach((entry, i) => {
        if (!entry.startsWith('!')) return;
        problems.push({
          path: ['stages', stageName, 'hooks', hook, i],
          message: `removes a task, which only works at the top level (where recipes merge); a stage's ${hook} list replaces the top-level one, so list the tasks this stage runs without ${entry.slice(1)}`,
        });
      });
    }
  }
  return problems;
}

/** A var called release_path, if or this would hide a built-in, a helper or template syntax. */
function reservedVarNames(raw: DeployConfig): Problem[] {
  const maps: [KeyPath, Vars | undefined][] = [[['vars'], raw.vars]];
  for (const [name, stage] of Object.entries(raw.stages)) {
    maps.push([['stages', name, 'vars'], stage?.vars]);
    stage?.hosts.forEach((h, i) => {
      if (typeof h === 'object') maps.push([['stages', name, 'hosts', i, 'vars'], h.vars]);
    });
  }
  const problems: Problem[] = [];
  for (const [path, vars] of maps) {
    for (const key of Object.keys(vars ?? {})) {
      if (RESERVED_NAMES.includes(key)) {
        problems.push({ path: [...path, key], message: 'is a reserved template name (built-in, helper or keyword); choose another name for this var', atKey: true });
      }
    }
  }
  return problems;
}

export function fileRules(raw: DeployConfig): Problem[] {
  return [...stageHookRemovals(raw), ...reservedVarNames(raw)];
}
