import { listReleases, type ReleasesReport } from '../run/releases.js';
import { withStage } from './open-stage.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export const releasesCommand = (ctx: CommandContext, stageName: string): Promise<CommandOutcome> =>
  withStage(ctx, 'releases', stageName, async (s, stage) => {
    const report = await listReleases(s);
    return {
      message: `${report.rows.length} release${report.rows.length === 1 ? '' : 's'} on ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}`,
      print: formatReleases(stage.stage, stage.hosts.map((h) => h.name), report),
      data: report,
    };
  });

/** One row per release id; the live marker, and a warning when hosts disagree about `current`. */
export function formatReleases(stage: string, hosts: string[], r: ReleasesReport): string {
  const head = ['', 'RELEASE', 'HOSTS', 'STATUS', 'REVISION', 'BY', 'WHEN', 'TOOK'];
  const rows = r.rows.map((row) => [
    row.live.length ? (row.live.length === hosts.length ? '*' : '~') : '',
    row.id,
    row.hosts.length === hosts.length ? `all ${hosts.length}` : row.hosts.join(','),
    row.live.length ? (row.live.length === hosts.length ? 'live' : `live on ${row.live.join(',')}`) : row.status.replace('_', ' '),
    row.revision ? row.revision.slice(0, 10) : '',
    row.user ?? '',
    row.time ? row.time.replace('T', ' ').slice(0, 19) : '',
    row.ms !== undefined ? `${(row.ms / 1000).toFixed(1)}s` : '',
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((x) => x[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [`stage ${stage} (${hosts.length} host${hosts.length === 1 ? '' : 's'})`, line(head), ...rows.map(line)];
  if (!r.rows.length) out.push('  no releases yet');
  const live = new Set(Object.values(r.current));
  if (live.size > 1) {
    out.push('', 'WARNING: hosts disagree about the live release:');
    for (const [h, id] of Object.entries(r.current)) out.push(`  ${h}: ${id ?? 'none'}`);
  }
  for (const [h, raw] of Object.entries(r.locks)) out.push(`locked on ${h}: ${raw}`);
  return out.join('\n') + '\n';
}
