import type { HookName, HostSpec, StageConfig } from '../config/stage-config.js';
import { renderTemplate } from '../template/index.js';
import { script } from '../shell/cmd.js';
import { quote } from '../shell/quote.js';
import { hookEnv, templateContext } from './context.js';
import { hostsForTask } from './hosts-for-task.js';
import { layout, releasePath, type Layout } from './layout.js';
import type { DeployPlan, HostPlan, Step } from './plan.js';
import type { ServerState } from './server-state.js';
import { exportCommit, fetchMirror } from './git-steps.js';
import { createRelease, linkShared, removeReleases, switchCurrent, uploadRelease, type UploadExpect, type UploadPlan } from './steps.js';

export interface PlanInput {
  stage: StageConfig;
  releaseId: string;
  /** What each host holds now (by host name); a host missing here is planned as empty. */
  states: ReadonlyMap<string, ServerState>;
  /** What the build holds (for the server-side check) and how each host receives it. */
  upload?: { expect: UploadExpect; modes: ReadonlyMap<string, UploadPlan> };
  /** git sources: the commit every host's fetch resolved the ref to (absent in `plan`: the ref is shown). */
  git?: { commit: string };
}

/** Pure: config + release id + server states -> every command of a deploy, per host. */
export function buildDeployPlan({ stage, releaseId, states, upload, git }: PlanInput): DeployPlan {
  return {
    stage,
    releaseId,
    hosts: stage.hosts.map((host) => planHost(stage, host, releaseId, states.get(host.name)?.current, upload, git)),
  };
}

function planHost(stage: StageConfig, host: HostSpec, releaseId: string, previous: string | undefined, upload: PlanInput['upload'], git: PlanInput['git']): HostPlan {
  const l = layout(host.deployTo);
  const hooks = (name: HookName, id: string, prev: string | undefined) => hookSteps(stage, host, l, name, id, prev);
  const source = stage.source;
  return {
    host,
    layout: l,
    previous,
    fetch: gitFetchStep(stage, host),
    prepare: [
      { name: 'create_release', kind: 'command', cmd: createRelease(l, releaseId) },
      source.kind === 'git'
        ? { name: 'export', kind: 'command', cmd: exportCommit(l, releaseId, git?.commit ?? `${source.ref}^{commit}`) }
        : { name: 'upload', kind: 'upload', cmd: uploadRelease(l, releaseId, upload?.modes.get(host.name) ?? { kind: 'full' }, upload?.expect) },
      { name: 'link_shared', kind: 'command', cmd: linkShared(l, releaseId, stage.shared) },
      ...hooks('before_switch', releaseId, previous),
    ],
    switch: { name: 'switch', kind: 'command', cmd: switchCurrent(l, releaseId) },
    afterSwitch: hooks('after_switch', releaseId, previous),
    healthcheck: stage.healthcheck ? healthcheckStep(stage, host, l, releaseId, previous) : undefined,
    discard: { name: 'remove_release', kind: 'command', cmd: removeReleases(l, [releaseId]) },
    switchBack: previous
      ? { name: 'switch_back', kind: 'command', cmd: switchCurrent(l, previous) }
      : { name: 'switch_back', kind: 'command', cmd: unlinkCurrent(l, releaseId) },
    afterRollback: previous ? hooks('after_rollback', previous, releaseId) : [],
  };
}

/** git sources: the mirror update that resolves the ref, run on every host before the plan is made. */
export function gitFetchStep(stage: StageConfig, host: HostSpec): Step | undefined {
  if (stage.source.kind !== 'git') return undefined;
  return { name: 'fetch', kind: 'command', cmd: fetchMirror(layout(host.deployTo), stage.source.repo, stage.source.ref) };
}

/** A first deploy has nothing to go back to: undoing its switch removes `current` again. */
function unlinkCurrent(l: Layout, releaseId: string) {
  return script(`if [ "$(readlink ${quote(l.current)})" = ${quote(`releases/${releaseId}`)} ]; then rm -f ${quote(l.current)}; fi`);
}

/** The steps of one hook on one host; a task's `once`/`roles` decide whether this host runs it. */
export function hookSteps(
  stage: StageConfig,
  host: HostSpec,
  l: Layout,
  hook: HookName,
  releaseId: string,
  previous: string | undefined,
): Step[] {
  const steps: Step[] = [];
  for (const taskName of stage.hooks[hook]) {
    const task = stage.tasks[taskName];
    if (!task) continue; // config rules reject unknown task names before planning
    if (!hostsForTask(task, stage.hosts).some((h) => h.name === host.name)) continue;
    const ctx = templateContext(stage, host, l, releaseId, previous);
    const text = renderTemplate(task.run, ctx, { location: task.location, what: `task ${taskName}` });
    steps.push({
      name: taskName,
      task: taskName,
      kind: 'command',
      cmd: script(text, { cwd: releasePath(l, releaseId), env: hookEnv(stage, l, releaseId, previous) }),
    });
  }
  return steps;
}

function healthcheckStep(stage: StageConfig, host: HostSpec, l: Layout, releaseId: string, previous: string | undefined): Step {
  const hc = stage.healthcheck!;
  const ctx = templateContext(stage, host, l, releaseId, previous);
  const cmdText = hc.run
    ? renderTemplate(hc.run, ctx, { location: hc.location, what: 'healthcheck' })
    : httpCheck(hc.url ?? "", hc.timeoutMs); // a URL is used as written: quoting belongs to the shell, not to URLs
  return {
    name: 'healthcheck',
    kind: 'command',
    cmd: script(cmdText, { cwd: l.current, env: hookEnv(stage, l, releaseId, previous) }),
  };
}

/** An HTTP check run from the server itself, with whichever client it has. */
function httpCheck(url: string, timeoutMs: number): string {
  const s = Math.max(1, Math.ceil(timeoutMs / 1000));
  const u = quote(url);
  return [
    `if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null --max-time ${s} ${u}`,
    `elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T ${s} ${u}`,
    `else echo 'neither curl nor wget is installed on this host' >&2; exit 127; fi`,
  ].join('\n');
}
