// A recipe can declare the vars it needs:  vars: { php_fpm: { description: …, required: true } }
// When nothing after the recipe gives that var a value (the app's file, the stage, the host, or
// --var), the app is told which recipe needs it and what for. Checked for every stage, also by
// `shipyaml validate` without a stage: unlike an env var, this is a matter of the file.
import type { Problem } from '../problems.js';
import type { Var } from '../schema-types.js';
import type { StageRule } from '../rules/context.js';
import type { RecipeInfo } from './types.js';

function lacksValue(v: Var): v is Exclude<Var, string | number | boolean> {
  return typeof v === 'object' && v.required === true && v.value === undefined && v.env === undefined;
}

function recipeName(r: RecipeInfo): string {
  return r.via.length ? `recipe "${r.name}" (extended by ${r.via.map((n) => `"${n}"`).join(' → ')})` : `recipe "${r.name}"`;
}

export const recipeVarsRule: StageRule = (stage, { overrideNames, source }) => {
  // name -> the recipe that declared it and the hosts that lack it
  const missing = new Map<string, { recipe: RecipeInfo; description?: string; hosts: string[] }>();
  for (const h of stage.hosts) {
    for (const [name, v] of Object.entries(h.vars)) {
      if (overrideNames.includes(name) || !lacksValue(v.value)) continue;
      const recipe = source?.origins?.find(v.path) as { recipe?: RecipeInfo } | undefined;
      if (!recipe?.recipe) continue; // declared in the app's own file: vars.ts reports it at deploy
      const entry = missing.get(name) ?? { recipe: recipe.recipe, description: v.value.description, hosts: [] };
      entry.hosts.push(h.local ? 'local' : (h.name?.value ?? `hosts[${h.index}]`));
      missing.set(name, entry);
    }
  }
  const problems: Problem[] = [];
  for (const [name, { recipe, description, hosts }] of missing) {
    const what = description ? ` (${description.replace(/\.$/, '')})` : '';
    const where = hosts.length < stage.hosts.length ? ` for host ${hosts.join(', ')}` : '';
    problems.push({
      path: recipe.entryPath,
      message: `${recipeName(recipe)} needs var ${name}${what}${where}: set it under vars: in this file, or give --var ${name}=VALUE`,
    });
  }
  return problems;
};
