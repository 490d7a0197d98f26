// Every task's script is checked against the names it will have on each host: the built-ins, the
// stage's vars, that host's vars and --var names. So `shipyaml validate` finds an unknown name
// with its line, long before a deploy would render it.
import { BUILTIN_NAMES } from '../../template/names.js';
import { templateIssues } from '../../template/check.js';
import type { At } from '../layers.js';
import type { KeyPath, Problem } from '../problems.js';
import type { Task } from '../schema-types.js';
import type { StageRule } from './context.js';

function runOf(task: At<Task>): { run: string; path: KeyPath } {
  return typeof task.value === 'string' ? { run: task.value, path: task.path } : { run: task.value.run, path: [...task.path, 'run'] };
}

export const templatesRule: StageRule = (stage, { overrideNames }) => {
  const templates = Object.values(stage.tasks).map(runOf);
  const hc = stage.healthcheck;
  if (hc !== false && hc.run) templates.push({ run: hc.run.value as string, path: hc.run.path });

  const hostNames = stage.hosts.map((h) => ({
    label: h.local ? 'local' : (h.name?.value ?? `hosts[${h.index}]`),
    known: [...BUILTIN_NAMES, ...Object.keys(h.vars), ...overrideNames],
  }));
  const problems: Problem[] = [];
  for (const t of templates) {
    // message -> hosts where it occurs, so a name missing on every host is reported once.
    const byMessage = new Map<string, { line: number; hosts: string[] }>();
    for (const host of hostNames) {
      for (const issue of templateIssues(t.run, host.known)) {
        const entry = byMessage.get(issue.message) ?? { line: issue.line, hosts: [] };
        entry.hosts.push(host.label);
        byMessage.set(issue.message, entry);
      }
    }
    for (const [message, { line, hosts }] of byMessage) {
      const where = t.run.includes('\n') ? ` (template line ${line})` : '';
      const on = hosts.length < hostNames.length ? ` on host ${hosts.join(', ')}` : '';
      problems.push({ path: t.path, message: `${message}${where}${on}` });
    }
  }
  return problems;
};
