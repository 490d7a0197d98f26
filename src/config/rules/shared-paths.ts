// Shared paths are linked from shared/ into each release; whatever the build put there is removed
// first. So each must stay inside the release, appear once, and not sit inside another one (the
// link for the outer path would hide, or delete, the inner one).
import path from 'node:path';
import type { KeyPath, Problem } from '../problems.js';
import { formatKeyPath } from '../problems.js';
import { hasDotDot, normaliseRelative, shellMetaProblem } from '../paths.js';
import type { StageRule } from './context.js';

interface Entry {
  value: string;
  norm: string;
  path: KeyPath;
}

function entryProblem(value: string): string | undefined {
  if (path.posix.isAbsolute(value)) return 'must be relative to the release (it is linked to shared/ under the same path)';
  if (value.startsWith('~')) return 'must be relative to the release ("~" is not expanded)';
  if (hasDotDot(value)) return 'must not contain ".." segments';
  const meta = shellMetaProblem(value);
  if (meta) return meta;
  const norm = normaliseRelative(value);
  if (norm === '.' || norm === '') return 'must name a file or directory inside the release, not the release itself';
  return undefined;
}

export const sharedPathsRule: StageRule = (stage) => {
  const problems: Problem[] = [];
  const entries: Entry[] = [];
  for (const kind of ['files', 'dirs'] as const) {
    const list = stage.shared[kind];
    if (!list) continue;
    (list.value as string[]).forEach((value, i) => {
      const at = [...list.path, i];
      const message = entryProblem(value);
      if (message) problems.push({ path: at, message, found: { value } });
      else entries.push({ value, norm: normaliseRelative(value), path: at });
    });
  }
  entries.forEach((e, i) => {
    for (const other of entries.slice(0, i)) {
      if (other.norm === e.norm) {
        problems.push({ path: e.path, message: `is listed twice (also ${formatKeyPath(other.path)})`, found: { value: e.value } });
      } else if (e.norm.startsWith(`${other.norm}/`) || other.norm.startsWith(`${e.norm}/`)) {
        const [inner, outer] = e.norm.startsWith(`${other.norm}/`) ? [e, other] : [other, e];
        problems.push({
          path: e.path,
          message: `is nested with ${formatKeyPath(other.path)}: "${inner.norm}" is inside "${outer.norm}"; shared paths must not contain one another`,
        });
      }
    }
  });
  return problems;
};
