import { deploy, startBuildScan } from '../run/deploy.js';
import { withStage } from './open-stage.js';
import { localRevision } from './revision.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export async function deployCommand(ctx: CommandContext, stageName: string, flags: { full?: boolean } = {}): Promise<CommandOutcome> {
  let early: { build?: ReturnType<typeof startBuildScan>; revision: ReturnType<typeof localRevision> } | undefined;
  const start = (stage: Parameters<typeof startBuildScan>[0]) => {
    early = { build: startBuildScan(stage), revision: localRevision(stage.dir) };
    early.build?.catch(() => {}); // awaited in deploy(); a failed connect must not make it unhandled
  };
  return withStage(ctx, 'deploy', stageName, async (s, stage) => {
    const revision = await early!.revision;
    const r = await deploy(s, stage, { revision, full: flags.full, build: early!.build });
    return {
      message: `deployed ${r.releaseId} to ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}`,
      releaseId: r.releaseId,
      phases: r.timings,
      hosts: stage.hosts.map((h) => ({ host: h.name, state: `live on ${r.releaseId}` })),
    };
  }, start);
}
