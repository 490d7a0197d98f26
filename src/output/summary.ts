import type { RunEvent } from '../run/events.js';
import { formatMs, listHosts } from './format.js';
import { createStyle, type Style } from './style.js';

// The first and the last thing a run prints, shared by the terminal and the plain renderer.

type StartEvent = Extract<RunEvent, { type: 'start' }>;
type DoneEvent = Extract<RunEvent, { type: 'done' }>;

/** `deploy example to production: web1, web2, web3 (release 20260415-101500)` */
export function startLine(e: StartEvent): string {
  const release = e.releaseId ? ` (release ${e.releaseId})` : '';
  return `${e.command} ${e.app} to ${e.stage}: ${listHosts(e.hosts)}${release}`;
}

/**
 * A failed 'done' that only ends a command whose error block was already printed (a config error,
 * before any host was touched) has nothing to add: its message is the error's message.
 */
export function repeatsError(e: DoneEvent, errorShown: boolean): boolean {
  return errorShown && !e.ok && e.phases.length === 0 && e.hosts.length === 0;
}

const label = (style: Style, name: string) => `  ${style.dim(name.padEnd(9))} `;

/**
 * On success: release id, hosts, time per phase, total. On failure the same, with the state each
 * host was left in, since "what state is the fleet in now" is the question after a failure.
 */
export function summaryLines(e: DoneEvent, style: Style = createStyle(false)): string[] {
  const mark = e.ok ? style.green('✔') : style.red('✖');
  const exit = e.ok ? '' : style.dim(`  (exit ${e.exitCode})`);
  const out = [`${mark} ${e.message}${exit}`];
  if (e.releaseId) out.push(`${label(style, 'release')}${e.releaseId}`);
  out.push(...hostLines(e, style));
  if (e.phases.length > 0) out.push(`${label(style, 'phases')}${e.phases.map((p) => `${p.phase} ${formatMs(p.ms)}`).join(' · ')}`);
  out.push(`${label(style, 'total')}${formatMs(e.ms)}`);
  return out;
}

function hostLines(e: DoneEvent, style: Style): string[] {
  if (e.hosts.length === 0) return [];
  const states = new Set(e.hosts.map((h) => h.state));
  // One state for all: one line, however many hosts. Otherwise each host says where it is.
  if (states.size === 1) {
    const [state] = states;
    const names = listHosts(e.hosts.map((h) => h.host));
    return [`${label(style, 'hosts')}${e.hosts.length === 1 ? names : `${e.hosts.length}: ${names}`}${state ? ` · ${state}` : ''}`];
  }
  // Few hosts: each on its own line. Many: one line per state, so the odd one out stands out.
  if (e.hosts.length > 8) {
    const byState = new Map<string, string[]>();
    for (const h of e.hosts) byState.set(h.state, [...(byState.get(h.state) ?? []), h.host]);
    return [...byState].map(([state, hosts], i) => `${i === 0 ? label(style, 'hosts') : INDENT}${listHosts(hosts, 4)}: ${state}`);
  }
  const width = Math.max(...e.hosts.map((h) => h.host.length));
  return e.hosts.map((h, i) => `${i === 0 ? label(style, 'hosts') : INDENT}${h.host.padEnd(width)}  ${h.state}`);
}

const INDENT = ' '.repeat(12); // under the values, past "  hosts     "
