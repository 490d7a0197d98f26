import { cleanup } from '../run/cleanup.js';
import { execOnHosts, setup, unlock } from '../run/simple-commands.js';
import { withStage } from './open-stage.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export const setupCommand = (ctx: CommandContext, stageName: string): Promise<CommandOutcome> =>
  withStage(ctx, 'setup', stageName, async (s, stage) => {
    await setup(s, stage);
    return { message: `layout ready on ${stage.hosts.map((h) => `${h.name}:${h.deployTo}`).join(', ')}` };
  });

export const unlockCommand = (ctx: CommandContext, stageName: string): Promise<CommandOutcome> =>
  withStage(ctx, 'unlock', stageName, async (s, stage) => {
    await unlock(s);
    return { message: `unlocked ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}` };
  });

export const cleanupCommand = (ctx: CommandContext, stageName: string): Promise<CommandOutcome> =>
  withStage(ctx, 'cleanup', stageName, async (s, stage) => {
    const removed = await cleanup(s, stage.keepReleases);
    const n = Object.values(removed).reduce((a, ids) => a + ids.length, 0);
    return {
      message: n ? `removed ${n} release dir${n === 1 ? '' : 's'}` : 'nothing to remove',
      hosts: Object.entries(removed).map(([host, ids]) => ({ host, state: ids.length ? `removed ${ids.join(', ')}` : 'nothing removed' })),
    };
  });

export const execCommand = (ctx: CommandContext, stageName: string, command: string): Promise<CommandOutcome> =>
  withStage(ctx, 'exec', stageName, async (s, stage) => {
    const out = await execOnHosts(s, command);
    // Grouped per host, after all finished, so hosts never interleave.
    const print = [...out].map(([host, text]) => `── ${host}\n${text}${text.endsWith('\n') || !text ? '' : '\n'}`).join('');
    return {
      message: `ran on ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}`,
      print,
      data: Object.fromEntries(out),
    };
  });
