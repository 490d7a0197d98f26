import type { HostSpec, StageConfig } from '../config/stage-config.js';
import { releasePath, type Layout } from './layout.js';

/** The names a template sees (DESIGN §3): every var, then the built-ins, which win on a clash. */
export function templateContext(
  stage: StageConfig,
  host: HostSpec,
  l: Layout,
  releaseId: string,
  previous: string | undefined,
): Record<string, unknown> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...stage.vars, ...host.vars })) vars[k] = v.value;
  return {
    ...vars,
    release_path: releasePath(l, releaseId),
    release_id: releaseId,
    current_path: l.current,
    shared_path: l.shared,
    deploy_to: l.root,
    previous_release_path: previous ? releasePath(l, previous) : '',
    stage: stage.stage,
    app: stage.app,
    host: { name: host.name, roles: host.roles },
  };
}

/** The same facts as environment variables, for hook scripts that prefer them to templates. */
export function hookEnv(stage: StageConfig, l: Layout, releaseId: string, previous: string | undefined): Record<string, string> {
  return {
    SHIPYAML_APP: stage.app,
    SHIPYAML_STAGE: stage.stage,
    SHIPYAML_RELEASE_ID: releaseId,
    SHIPYAML_RELEASE_PATH: releasePath(l, releaseId),
    SHIPYAML_DEPLOY_TO: l.root,
    SHIPYAML_SHARED_PATH: l.shared,
    SHIPYAML_CURRENT_PATH: l.current,
    SHIPYAML_PREVIOUS_RELEASE_PATH: previous ? releasePath(l, previous) : '',
  };
}

/** Secret values, for the redactor: vars marked secret or taken from the environment. */
export function secretValues(stage: StageConfig): string[] {
  const out: string[] = [];
  const add = (vars: StageConfig['vars']) => {
    for (const v of Object.values(vars)) if (v.secret && v.value) out.push(v.value);
  };
  add(stage.vars);
  for (const h of stage.hosts) add(h.vars);
  return out;
}
