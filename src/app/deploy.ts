import { deploy } from '../run/deploy.js';
import { withStage } from './open-stage.js';
import { localRevision } from './revision.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export async function deployCommand(ctx: CommandContext, stageName: string, flags: { full?: boolean } = {}): Promise<CommandOutcome> {
  return withStage(ctx, 'deploy', stageName, async (s, stage) => {
    const revision = await localRevision(stage.dir);
    const r = await deploy(s, stage, { revision, full: flags.full });
    return {
      message: `deployed ${r.releaseId} to ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}`,
      releaseId: r.releaseId,
      phases: r.timings,
      hosts: stage.hosts.map((h) => ({ host: h.name, state: `live on ${r.releaseId}` })),
    };
  });
}
