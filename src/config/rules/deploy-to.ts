// deploy_to is where releases are created and old ones deleted: a wrong one is dangerous, so it
// must be unmistakable. Remote: absolute, not /, no "..", no "~" (nothing expands it over ssh).
// Local hosts may use a path relative to the config file's directory.
import os from 'node:os';
import path from 'node:path';
import type { Problem } from '../problems.js';
import { hasDotDot, resolveLocal, shellMetaProblem } from '../paths.js';
import type { StageRule } from './context.js';

export function deployToProblem(value: string, local: boolean, dir: string): string | undefined {
  if (hasDotDot(value)) return 'must not contain ".." segments';
  const meta = shellMetaProblem(value);
  if (meta) return meta;
  if (!local && value.startsWith('~')) return 'must be an absolute path: "~" is not expanded on the server; write it out, e.g. /home/deploy/app';
  if (!local && !value.startsWith('/')) return 'must be an absolute path on a remote host (relative paths are for local: true hosts)';
  const resolved = local ? resolveLocal(dir, value) : path.posix.normalize(value);
  if (resolved === '/' || resolved === '//') return 'must not be / (releases and old-release cleanup would work on the whole file system)';
  // releases/, shared/, current and .shipyaml/ would sit among the user's own files.
  if (local && path.resolve(resolved) === path.resolve(os.homedir())) return 'must not be the home directory itself; use a directory in it, e.g. ~/deploys/app';
  return undefined;
}

export const deployToRule: StageRule = (stage, { dir }) => {
  const problems: Problem[] = [];
  for (const host of stage.hosts) {
    if (!host.deployTo) {
      problems.push({ path: host.path, message: `has no deploy_to: set deploy_to at the top level, in stages.${stage.name}, or on this host` });
      continue;
    }
    const message = deployToProblem(host.deployTo.value, host.local, dir);
    if (message) problems.push({ path: host.deployTo.path, message, found: { value: host.deployTo.value } });
  }
  return problems;
};
