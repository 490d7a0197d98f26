import { buildDeployPlan } from '../plan/build-plan.js';
import type { DeployPlan, Step } from '../plan/plan.js';
import { formatReleaseId } from '../plan/release-id.js';
import { renderCmd } from '../shell/cmd.js';
import { loadStage } from './open-stage.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

/** `plan STAGE`: every rendered command per host and phase; connects nowhere. */
export async function planCommand(ctx: CommandContext, stageName: string): Promise<CommandOutcome> {
  const stage = await loadStage(ctx, stageName);
  // The servers are not read: the plan assumes each has a live release, so every step shows.
  const states = new Map(stage.hosts.map((h) => [h.name, { current: 'PREVIOUS', currentNotLink: false, releases: [], log: [] }]));
  const plan = buildDeployPlan({ stage, releaseId: formatReleaseId(new Date()), states });
  return {
    message: `plan for ${stage.stage}: ${plan.hosts.length} host${plan.hosts.length === 1 ? '' : 's'}, release ${plan.releaseId}`,
    print: ctx.redact(formatPlan(plan)),
    data: JSON.parse(ctx.redact(JSON.stringify(planData(plan)))),
  };
}

function phasesOf(h: DeployPlan['hosts'][number]): [string, Step[]][] {
  return [
    ['prepare', [...(h.fetch ? [h.fetch] : []), ...h.prepare]],
    ['switch', [h.switch]],
    ['after_switch', h.afterSwitch],
    ['healthcheck', h.healthcheck ? [h.healthcheck] : []],
    ['on failure', [h.discard, ...(h.switchBack ? [h.switchBack] : []), ...h.afterRollback]],
  ];
}

export function formatPlan(plan: DeployPlan): string {
  const out: string[] = [
    `# stage ${plan.stage.stage}, release ${plan.releaseId} (the id is taken when the deploy starts;`,
    `# PREVIOUS stands for the release live on each host then)`,
  ];
  for (const h of plan.hosts) {
    out.push('', `== ${h.host.name}  ${h.layout.root}`);
    for (const [phase, steps] of phasesOf(h)) {
      if (!steps.length) continue;
      out.push(`-- ${phase}`);
      for (const s of steps) {
        out.push(`# ${s.name}${s.kind === 'upload' ? ' (the build, as a tar stream on stdin)' : ''}`);
        out.push(renderCmd(s.cmd));
      }
    }
  }
  return out.join('\n') + '\n';
}

function planData(plan: DeployPlan) {
  return {
    stage: plan.stage.stage,
    releaseId: plan.releaseId,
    hosts: plan.hosts.map((h) => ({
      host: h.host.name,
      deployTo: h.layout.root,
      phases: Object.fromEntries(phasesOf(h).map(([p, steps]) => [p, steps.map((s) => ({ step: s.name, kind: s.kind, command: renderCmd(s.cmd) }))])),
    })),
  };
}
