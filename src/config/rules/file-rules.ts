// Rules on the file as a whole, checked once at load (not per stage).
import { RESERVED_NAMES } from '../../template/names.js';
import type { KeyPath, Problem } from '../problems.js';
import type { DeployConfig, Vars } from '../schema-types.js';

/** Recipes come in their own issue; until then `extends` must not be silently ignored. */
function extendsRule(raw: DeployConfig): Problem[] {
  const list = raw.extends === undefined ? [] : Array.isArray(raw.extends) ? raw.extends : [raw.extends];
  if (list.length === 0) return [];
  return [{ path: ['extends'], message: 'names recipes, which are not supported yet: copy the tasks and hooks you need into this file' }];
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
  return [...extendsRule(raw), ...reservedVarNames(raw)];
}
