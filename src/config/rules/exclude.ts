// source.exclude patterns name paths inside the build; an absolute or ".." pattern points outside
// it and is a mistake (it would silently exclude nothing).
import path from 'node:path';
import type { Problem } from '../problems.js';
import { hasDotDot } from '../paths.js';
import type { StageRule } from './context.js';

export const excludeRule: StageRule = (stage) => {
  const list = stage.source.exclude;
  if (!list) return [];
  const problems: Problem[] = [];
  (list.value as string[]).forEach((value, i) => {
    const at = [...list.path, i];
    if (path.posix.isAbsolute(value)) problems.push({ path: at, message: 'must be relative to the build directory', found: { value } });
    else if (hasDotDot(value)) problems.push({ path: at, message: 'must not contain ".." segments', found: { value } });
  });
  return problems;
};
