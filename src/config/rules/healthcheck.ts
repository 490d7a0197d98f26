// After stage and top level are combined, a healthcheck needs something to check; and a zero
// timeout would fail every attempt.
import type { Problem } from '../problems.js';
import { parseDuration } from '../duration.js';
import type { StageRule } from './context.js';

export const healthcheckRule: StageRule = (stage) => {
  const hc = stage.healthcheck;
  if (hc === false || Object.keys(hc).length === 0) return [];
  const problems: Problem[] = [];
  if (!hc.run && !hc.url) {
    const first = Object.values(hc)[0]!;
    problems.push({ path: first.path.slice(0, -1), message: 'needs run (a command) or url' });
  }
  if (hc.timeout && parseDuration(hc.timeout.value as string) === 0) {
    problems.push({ path: hc.timeout.path, message: 'must be longer than 0', found: { value: hc.timeout.value } });
  }
  return problems;
};
