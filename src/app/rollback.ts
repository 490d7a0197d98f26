import { checkRollbackTo, rollback } from '../run/rollback.js';
import { withStage } from './open-stage.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export async function rollbackCommand(ctx: CommandContext, stageName: string, to?: string): Promise<CommandOutcome> {
  checkRollbackTo(to); // a bad --to is a usage error: refused before connecting anywhere
  return withStage(ctx, 'rollback', stageName, async (s, stage) => {
    const r = await rollback(s, stage, to);
    return {
      message: `rolled back to ${r.releaseId} on ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}`,
      releaseId: r.releaseId,
      hosts: stage.hosts.map((h) => ({ host: h.name, state: `live on ${r.releaseId}` })),
    };
  });
}
