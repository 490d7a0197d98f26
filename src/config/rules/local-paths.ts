// On a local host the build and deploy_to are on the same disk. A deploy_to inside the build
// (`build: .` with `deploy_to: ./.shipyaml/local/app`, what `init` writes) is fine: the upload
// leaves it out (run/deploy.ts). A deploy_to that contains the build is refused: retention and
// cleanup work inside deploy_to and must never reach the build.
import { DEFAULTS } from '../defaults.js';
import { isInside, resolveLocal } from '../paths.js';
import type { Problem } from '../problems.js';
import type { StageRule } from './context.js';
import { deployToProblem } from './deploy-to.js';

export const localPathsRule: StageRule = (stage, { dir }) => {
  if (stage.source.git) return [];
  const build = resolveLocal(dir, (stage.source.build?.value as string | undefined) ?? DEFAULTS.build);
  const problems: Problem[] = [];
  for (const host of stage.hosts) {
    if (!host.local || !host.deployTo || deployToProblem(host.deployTo.value, true, dir)) continue;
    const target = resolveLocal(dir, host.deployTo.value);
    if (isInside(build, target)) {
      problems.push({ path: host.deployTo.path, message: `contains source.build (${build}): keep the build outside the deploy directory`, found: { value: host.deployTo.value } });
    }
  }
  return problems;
};
