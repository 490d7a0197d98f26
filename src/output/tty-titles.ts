import { formatMs } from './format.js';
import type { HostProgress, PhaseProgress } from './progress-model.js';
import { createStyle, type Style } from './style.js';
import { isComplete, SLOW_TRANSFER_MS, transferText } from './transfer.js';

// Titles and output lines of the terminal's tasks, computed from the progress model. Pure, so the
// wording is tested without a terminal; the tty reporter only copies them into listr2.

/** Above this many hosts a phase shows "12/20 hosts" instead of one line per host. */
export const COLLAPSE_HOSTS_ABOVE = 8;

export const isCollapsed = (p: PhaseProgress): boolean => p.hosts.size === 0 || p.hosts.size > COLLAPSE_HOSTS_ABOVE;

const idle = (h: HostProgress) => h.outcome !== undefined || (h.steps > 0 && h.running === 0);

export function phaseTitle(p: PhaseProgress, now: number, style: Style = createStyle(false)): string {
  if (p.outcome === 'skipped') return `${p.phase} ${style.dim('skipped')}`;
  const ms = p.outcome ? (p.ms ?? 0) : now - p.startedAt;
  const parts = [p.phase, style.dim(formatMs(ms))];
  if (isCollapsed(p) && p.hosts.size > 0) {
    const hosts = [...p.hosts.values()];
    const failed = hosts.filter((h) => h.failed).length;
    // Running: how many are through; over: how many took part (a `once` task runs on one).
    parts.push(p.outcome ? `${hosts.filter((h) => h.steps > 0).length} hosts` : `${hosts.filter(idle).length}/${hosts.length} hosts`);
    if (failed > 0) parts.push(style.red(`${failed} failed`));
  }
  return parts.join('  ');
}

/**
 * The line under a running phase: its latest warning (it must be seen now, not after the run),
 * else for a collapsed phase what runs now: `web3 migrate 1.2s · web7 transfer … · +5 more`.
 */
export function phaseOutput(p: PhaseProgress, now: number): string {
  if (p.outcome) return '';
  if (p.warning) return `warning: ${p.warning}`;
  if (!isCollapsed(p)) return '';
  const running = [...p.hosts.values()].filter((h) => h.running > 0);
  const shown = running.slice(0, 3).map((h) => `${h.host} ${stepNow(h, now)}`);
  if (running.length > shown.length) shown.push(`+${running.length - shown.length} more`);
  return shown.join(' · ');
}

export function hostTitle(h: HostProgress, now: number, style: Style = createStyle(false)): string {
  // A host with nothing to do in this phase (a `once` task elsewhere, not switched) is hidden.
  if (h.outcome === 'skipped') return '';
  if (h.steps === 0) return `${h.host}  ${style.dim('waiting')}`;
  if (h.outcome === 'ok') {
    const total = (h.lastAt ?? 0) - (h.firstAt ?? 0);
    return h.steps === 1 ? `${h.host}  ${h.step} ${style.dim(formatMs(h.stepMs ?? total))}` : `${h.host}  ${h.steps} steps ${style.dim(formatMs(total))}`;
  }
  // Ended while its step still ran: the run crashed or was interrupted under it.
  if (h.outcome === 'failed' && h.running > 0) return `${h.host}  ${h.step} ${style.red('interrupted')} ${style.dim(formatMs(now - (h.stepStartedAt ?? now)))}`;
  if (h.running > 0) return `${h.host}  ${h.step} ${formatMs(now - (h.stepStartedAt ?? now))}`;
  const ms = h.stepMs === undefined ? '' : ` ${style.dim(formatMs(h.stepMs))}`;
  const status = h.stepStatus === 'failed' ? style.red('failed') : (h.stepStatus ?? '');
  return `${h.host}  ${h.step} ${status}${ms}`;
}

/** Under a running host: a slow transfer's progress, else the last line its command printed. */
export function hostOutput(h: HostProgress, now: number): string {
  if (h.outcome) return '';
  const t = h.transfer;
  if (t && !isComplete(t) && now - t.startedAt >= SLOW_TRANSFER_MS) return transferText(t, now);
  return h.running > 0 ? (h.lastLine ?? '') : '';
}

function stepNow(h: HostProgress, now: number): string {
  const t = h.transfer;
  if (t && !isComplete(t) && now - t.startedAt >= SLOW_TRANSFER_MS) return transferText(t, now);
  return `${h.step} ${formatMs(now - (h.stepStartedAt ?? now))}`;
}
