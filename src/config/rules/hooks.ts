// Every hook entry must name a task of this stage (top-level tasks plus the stage's own).
import type { Problem } from '../problems.js';
import { didYouMean } from '../suggest.js';
import type { StageRule } from './context.js';

export const hooksRule: StageRule = (stage) => {
  const tasks = Object.keys(stage.tasks);
  const problems: Problem[] = [];
  for (const list of Object.values(stage.hooks)) {
    list.value.forEach((name, i) => {
      if (stage.tasks[name]) return;
      const known = tasks.length > 0 ? ` (tasks: ${tasks.join(', ')})` : ' (no tasks are defined)';
      const hint = didYouMean(name, tasks);
      problems.push({ path: [...list.path, i], message: `names a task that does not exist${hint || known}`, found: { value: name } });
    });
  }
  return problems;
};
