// A stage deploys either to this machine (one local host) or over ssh; mixing them would run the
// same release steps with two different transports and layouts. A host listed twice would be
// deployed twice at once and trip over its own lock.
import type { Problem } from '../problems.js';
import { formatKeyPath } from '../problems.js';
import type { StageRule } from './context.js';

export const hostsRule: StageRule = (stage) => {
  const problems: Problem[] = [];
  const locals = stage.hosts.filter((h) => h.local);
  const remotes = stage.hosts.length - locals.length;
  locals.forEach((h, i) => {
    if (remotes > 0) {
      problems.push({ path: h.path, message: 'is a local host in a stage with remote hosts: a stage deploys either to this machine or over ssh' });
    } else if (i > 0) {
      problems.push({ path: h.path, message: `is a second local host (first: ${formatKeyPath(locals[0]!.path)}); a stage has at most one` });
    }
  });
  const seen = new Map<string, string>();
  for (const h of stage.hosts) {
    if (h.local || !h.name) continue;
    const key = `${h.name.value}\0${h.port?.value ?? ''}\0${h.deployTo?.value ?? ''}`;
    const first = seen.get(key);
    if (first) problems.push({ path: h.name.path, message: `is listed twice (also ${first})`, found: { value: h.name.value } });
    else seen.set(key, formatKeyPath(h.path));
  }
  return problems;
};
