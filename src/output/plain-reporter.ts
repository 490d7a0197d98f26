import type { FailureInfo, RunEvent } from '../run/events.js';
import { toErrorEvent, type ErrorEvent } from './error-event.js';
import { formatFailureBlock, formatErrorBlock } from './failure-block.js';
import { clockTime, formatMs } from './format.js';
import { createLineWriter, flushStream } from './line-writer.js';
import { repeatsError, startLine, summaryLines } from './summary.js';
import { cleanLine, splitLines } from './text.js';
import { eventTime, isComplete, nextTransfer, SLOW_TRANSFER_MS, transferText, type TransferState } from './transfer.js';
import type { RendererOptions, Reporter } from './types.js';

// CI output: one timestamped line per event worth a line, no spinners, nothing redrawn.
// `12:00:01 [web1] switch ok 12ms`. Failure blocks and the summary come once, at the end, where
// a person scrolling a CI log looks first.

export type PlainOptions = RendererOptions;

type Step = Extract<RunEvent, { type: 'step' }>;

export function createPlainReporter(o: PlainOptions): Reporter {
  const out = createLineWriter(o.stream, o.redact);
  const err = createLineWriter(o.errorStream, o.redact);
  const { style } = o;
  const failures: FailureInfo[] = [];
  const transfers = new Map<string, TransferState & { shownAt?: number }>();
  let closed = false;
  let errorShown = false;

  const stamp = (text: string) => `${style.dim(clockTime(o.clock()))} ${text}`;
  const hostTag = (host: string) => style.cyan(`[${host}]`);
  const say = (text: string, host?: string) => out.line(stamp(host === undefined ? text : `${hostTag(host)} ${text}`));
  const status = (s: string) => (s === 'ok' ? style.green(s) : s === 'failed' ? style.red(s) : s === 'skipped' ? style.yellow(s) : s);
  const timing = (ms?: number) => (ms === undefined ? '' : ` ${formatMs(ms)}`);

  // Blank lines around the blocks: they are read as blocks, between timestamped lines.
  const printFailures = () => {
    const blocks = failures.splice(0);
    for (const f of blocks) {
      err.line('');
      err.lines(formatFailureBlock(f, style));
    }
    if (blocks.length > 0) err.line('');
  };

  const onStep = (e: Step) => {
    if (e.status === 'start') {
      say(`${e.step} started`, e.host);
      if (o.verbose && e.command) for (const l of splitLines(e.command)) say(style.dim(`$ ${l}`), e.host);
      return;
    }
    say(`${e.step} ${status(e.status)}${timing(e.ms)}`, e.host);
  };

  const onTransfer = (e: Extract<RunEvent, { type: 'transfer' }>) => {
    const at = eventTime(e, o.clock);
    const prev = transfers.get(e.host);
    const t: TransferState & { shownAt?: number } = { ...nextTransfer(prev, e, at), shownAt: prev && !isComplete(prev) ? prev.shownAt : undefined };
    transfers.set(e.host, t);
    // Progress only for slow transfers, at most once a second per host; the end always gets a line.
    if (isComplete(t)) return say(transferText(t), e.host);
    if (at - t.startedAt >= SLOW_TRANSFER_MS && (t.shownAt === undefined || at - t.shownAt >= SLOW_TRANSFER_MS)) {
      t.shownAt = at;
      say(transferText(t), e.host);
    }
  };

  const printError = (e: ErrorEvent) => {
    errorShown = true;
    err.lines(formatErrorBlock(e, style));
  };

  const emit = (e: RunEvent): void => {
    if (closed) return;
    switch (e.type) {
      case 'start':
        return say(style.bold(startLine(e)));
      case 'phase':
        return say(`phase ${e.phase} ${e.status === 'start' ? 'started' : status(e.status)}${timing(e.ms)}`);
      case 'step':
        return onStep(e);
      case 'output':
        if (!o.verbose) return;
        for (const l of splitLines(e.line)) {
          say(`${style.dim(e.stream === 'stderr' ? 'err:' : 'out:')} ${cleanLine(l, style.enabled)}`, e.host);
        }
        return;
      case 'transfer':
        return onTransfer(e);
      case 'warning':
        return say(`${style.yellow('warning:')} ${e.message}`, e.host);
      case 'failure':
        failures.push(e.failure);
        return say(`${style.red('✖')} ${e.failure.code}: ${e.failure.message}`, e.failure.host);
      case 'done':
        printFailures();
        if (!repeatsError(e, errorShown)) for (const l of summaryLines(e, style)) say(l);
        return;
      case 'error':
        return printError(e);
      case 'result':
        return; // printed by the command itself, after the progress lines
    }
  };

  return {
    emit,
    error(error: unknown) {
      printError(toErrorEvent(error, { verbose: o.verbose, time: o.clock().toISOString() }));
    },
    async close() {
      if (closed) return;
      // A run that ended without 'done' (a crash, an interrupt) still shows what failed.
      printFailures();
      closed = true;
      await Promise.all([flushStream(o.stream), o.errorStream === o.stream ? undefined : flushStream(o.errorStream)]);
    },
  };
}
