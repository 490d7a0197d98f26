import type { StageConfig } from '../config/stage-config.js';
import { deploy, startBuildScan } from '../run/deploy.js';
import { withStage } from './open-stage.js';
import { localRevision } from './revision.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export async function deployCommand(ctx: CommandContext, stageName: string, flags: { full?: boolean } = {}): Promise<CommandOutcome> {
  const start = (stage: StageConfig) => {
    // Awaited in deploy(); a failed connect leaves it unawaited, which it handles itself.
    const build = startBuildScan(stage, { full: flags.full === true });
    return { build, revision: localRevision(stage.dir) };
  };
  return withStage(ctx, 'deploy', stageName, async (s, stage, early) => {
    const r = await deploy(s, stage, { revision: await early.revision, full: flags.full, build: early.build });
    return {
      message: `deployed ${r.releaseId} to ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}`,
      releaseId: r.releaseId,
      phases: r.timings,
      hosts: stage.hosts.map((h) => ({ host: h.name, state: `live on ${r.releaseId}` })),
    };
  }, start);
}
