import { ERROR_CODES } from '../errors/codes.js';
import { formatLocation } from '../errors/shipyaml-error.js';
import { exitMeaning, type FailureInfo } from '../run/events.js';
import type { ErrorEvent } from './error-event.js';
import { createStyle, type Style } from './style.js';
import { splitLines } from './text.js';

// The block a person reads in the worst minute of a deploy: which host, which step, which
// command, what it printed, and what state the host is in now. Shared by tty and plain output.

export const STDERR_LINES = 20;
const LABEL_WIDTH = 10; // "command:" plus two spaces; values line up under each other

function fixFor(code: string, hint?: string): string | undefined {
  return hint ?? (ERROR_CODES as Record<string, { fix: string } | undefined>)[code]?.fix;
}

function field(style: Style, label: string, value: string): string[] {
  const [first = '', ...rest] = splitLines(value);
  const pad = ' '.repeat(2 + LABEL_WIDTH);
  return [`  ${style.dim(`${label}:`.padEnd(LABEL_WIDTH))}${first}`, ...rest.map((l) => pad + l)];
}

export function formatFailureBlock(f: FailureInfo, style: Style = createStyle(false)): string[] {
  const where = [f.host, f.phase, f.step].filter((p): p is string => Boolean(p)).join(' · ');
  const out = [`${style.red('✖')} ${style.bold(where || f.message)}  ${style.dim(`(${f.code})`)}`];
  if (where) out.push(...field(style, 'error', f.message));
  if (f.command) out.push(...field(style, 'command', f.command));
  if (f.exitCode !== undefined) {
    const meaning = f.exitMeaning ?? exitMeaning(f.exitCode);
    out.push(...field(style, 'exit', meaning ? `${f.exitCode} (${meaning})` : String(f.exitCode)));
  }
  const stderr = (f.stderrTail ?? []).flatMap(splitLines);
  if (stderr.length > 0) {
    const tail = stderr.slice(-STDERR_LINES);
    if (stderr.length > tail.length) tail.unshift(style.dim(`… ${stderr.length - tail.length} earlier lines`));
    out.push(...field(style, 'stderr', tail.join('\n')));
  }
  if (f.state) out.push(...field(style, 'state', f.state));
  const fix = fixFor(f.code, f.hint);
  if (fix) out.push(...field(style, 'fix', fix));
  return out;
}

/**
 * `error E_CONFIG: deploy.yml has 3 problems`, each detail indented, then `fix: …`; the stack
 * only when the event carries one (--verbose).
 */
export function formatErrorBlock(e: ErrorEvent, style: Style = createStyle(false)): string[] {
  let message = e.message;
  if (e.location) {
    const loc = formatLocation(e.location);
    if (!message.includes(loc)) message = `${loc} ${message}`;
  }
  const host = e.host ? ` [${e.host}]` : '';
  const out = [`${style.red(`error ${e.code}`)}${host}: ${message}`];
  for (const detail of e.details ?? []) out.push(...splitLines(detail).map((l) => `  ${l}`));
  const fix = fixFor(e.code, e.hint);
  if (fix) out.push(`${style.dim('fix:')} ${fix}`);
  if (e.stack) out.push(...splitLines(e.stack).map((l) => style.dim(`  ${l}`)));
  return out;
}
