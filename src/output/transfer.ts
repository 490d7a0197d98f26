import type { RunEvent } from '../run/events.js';
import { formatBytes, formatMs, formatRate } from './format.js';

// Uploads are the one step whose duration depends on size and network; a progress line tells a
// waiting person it is moving. Quick ones (most) are not worth a line until they finish.

export const SLOW_TRANSFER_MS = 1000;

type TransferEvent = Extract<RunEvent, { type: 'transfer' }>;

export interface TransferState {
  startedAt: number;
  at: number;
  bytes: number;
  total: number;
  files: number;
}

/** `at` is when the event happened (ms since epoch). A finished transfer followed by a new one starts over. */
export function nextTransfer(prev: TransferState | undefined, e: TransferEvent, at: number): TransferState {
  const fresh = prev === undefined || isComplete(prev) || e.bytes < prev.bytes;
  return { startedAt: fresh ? at : prev.startedAt, at, bytes: e.bytes, total: e.total, files: e.files };
}

export const isComplete = (t: TransferState): boolean => t.total > 0 && t.bytes >= t.total;

/** `transfer 12.3 MB / 30.0 MB (41%) · 8.1 MB/s` while it runs, `transferred 30.0 MB, 2000 files in 1.5s (20.0 MB/s)` after. */
export function transferText(t: TransferState, now = t.at): string {
  const elapsed = Math.max(0, (isComplete(t) ? t.at : now) - t.startedAt);
  const rate = elapsed > 0 ? formatRate(t.bytes, elapsed) : '';
  if (isComplete(t)) {
    const timing = elapsed >= SLOW_TRANSFER_MS ? ` in ${formatMs(elapsed)}${rate ? ` (${rate})` : ''}` : '';
    return `transferred ${formatBytes(t.bytes)}, ${t.files} files${timing}`;
  }
  const pct = t.total > 0 ? ` (${Math.floor((t.bytes / t.total) * 100)}%)` : '';
  return `transfer ${formatBytes(t.bytes)} / ${formatBytes(t.total)}${pct}${rate ? ` · ${rate}` : ''}`;
}

/** When an event happened: its own timestamp, or the reporter's clock if it has none. */
export function eventTime(e: { time: string }, clock: () => Date): number {
  const t = Date.parse(e.time);
  return Number.isNaN(t) ? clock().getTime() : t;
}
