// Numbers as people read them in a deploy log: durations, sizes, rates, wall-clock time.

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0ms';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units, as DESIGN measures builds ("30 MB"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.max(0, Math.round(bytes || 0))} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(bytes: number, ms: number): string {
  return ms > 0 ? `${formatBytes((bytes * 1000) / ms)}/s` : '';
}

/**
 * HH:MM:SS in UTC: the same clock as release ids and log.jsonl, and what CI runners use, so a
 * line can be matched with a release without knowing where the log was written.
 */
export function clockTime(d: Date): string {
  return d.toISOString().slice(11, 19);
}

/** "web1, web2, web3" or "web1, web2, … (20 hosts)" so a start line stays one line. */
export function listHosts(hosts: readonly string[], max = 8): string {
  if (hosts.length <= max) return hosts.join(', ');
  return `${hosts.slice(0, max).join(', ')}, … (${hosts.length} hosts)`;
}
