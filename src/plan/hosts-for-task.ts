import type { HostSpec, TaskSpec } from '../config/stage-config.js';

/**
 * Which hosts run a task: those with one of its roles (all hosts when it names none); a `once`
 * task runs on the first of them only (migrations must not race each other).
 */
export function hostsForTask(task: TaskSpec, hosts: readonly HostSpec[]): HostSpec[] {
  const eligible = task.roles.length ? hosts.filter((h) => h.roles.some((r) => task.roles.includes(r))) : [...hosts];
  return task.once ? eligible.slice(0, 1) : eligible;
}
