import type { RunEvent } from '../run/events.js';
import { toErrorEvent } from './error-event.js';
import { formatErrorBlock, formatFailureBlock } from './failure-block.js';
import { createLineWriter, flushStream } from './line-writer.js';
import { createListrTasks } from './listr-tasks.js';
import { ProgressModel } from './progress-model.js';
import { repeatsError, startLine, summaryLines } from './summary.js';
import { restoreTerminalOnExit, settleWithin, withoutColour } from './terminal-stream.js';
import type { RendererOptions, Reporter } from './types.js';

// The terminal: listr2's default renderer, driven by events (see listr-tasks.ts). listr2 is
// imported when the first event arrives, never before. Failure blocks and the summary are
// printed after listr2 has drawn its last frame, so they are never redrawn or interleaved.

export type TtyOptions = RendererOptions;

const PROGRESS = new Set<RunEvent['type']>(['start', 'phase', 'step', 'output', 'transfer']);

/** close() waits this long at most for listr2 to draw its last frame. */
const CLOSE_TIMEOUT_MS = 3000;
/** Live durations ("migrate 3.2s") are recomputed this often. */
const TICK_MS = 250;

export function createTtyReporter(o: TtyOptions): Reporter {
  const model = new ProgressModel(o.clock);
  const out = createLineWriter(o.stream, o.redact);
  const err = createLineWriter(o.errorStream, o.redact);
  const tasks = createListrTasks(model, { now: () => o.clock().getTime(), redact: o.redact, style: o.style });
  const pendingErrors: string[][] = [];
  let session: Promise<void> | undefined;
  let closed = false;
  let errorShown = false;

  const errorBlock = (error: unknown) => formatErrorBlock(toErrorEvent(error, { verbose: o.verbose, time: o.clock().toISOString() }), o.style);

  const run = async (): Promise<void> => {
    const { Listr, ListrLogger, ProcessOutput, ListrDefaultRendererLogLevels: Level, figures, color } = await import('listr2');
    const stdout = o.style.enabled ? o.stream : withoutColour(o.stream);
    // listr2 buffers whatever else is written to both streams while it draws. When they are one
    // stream, hand it the same object twice, or its own frames would be buffered as stray output.
    const stderr = o.errorStream === o.stream ? stdout : o.errorStream;
    const processOutput = new ProcessOutput(stdout as NodeJS.WriteStream, stderr as NodeJS.WriteStream, { leaveEmptyLine: false });
    const rendererOptions = {
      logger: new ListrLogger({ useIcons: true, processOutput }),
      collapseSubtasks: true,
      collapseErrors: true,
      showErrorMessage: true,
      formatOutput: 'truncate' as const,
      // A phase whose host or gate failed is a failed phase: the same red ✖ as a failed host, not
      // listr2's yellow "completed with failed subtasks" warning sign.
      icon: { [Level.COMPLETED_WITH_FAILED_SUBTASKS]: figures.cross },
      color: { [Level.COMPLETED_WITH_FAILED_SUBTASKS]: (text?: string) => color.red(text ?? '') },
    };
    const root = new Listr<object, 'default', 'default'>([tasks.root], {
      concurrent: true,
      exitOnError: false,
      // The runner handles Ctrl-C (exit 130, second Ctrl-C); listr2's own handler would exit 127.
      registerSignalListeners: false,
      renderer: 'default',
      rendererOptions,
      // The stream was found to be a terminal already; listr2 would check process.stdout instead.
      fallbackRenderer: 'default',
      fallbackRendererOptions: rendererOptions,
      fallbackRendererCondition: false,
      silentRendererCondition: false,
    });
    const ticker = setInterval(tasks.refresh, TICK_MS);
    ticker.unref();
    const unguard = restoreTerminalOnExit(o.stream, () => processOutput.release());
    try {
      await root.run();
    } finally {
      clearInterval(ticker);
      unguard();
    }
  };

  const printEnd = () => {
    for (const w of model.warnings.splice(0)) out.line(`${o.style.yellow('warning:')}${w.host ? ` [${w.host}]` : ''} ${w.message}`);
    for (const f of model.failures.splice(0)) {
      err.line('');
      err.lines(formatFailureBlock(f, o.style));
    }
    for (const e of model.errors.splice(0)) pendingErrors.push(formatErrorBlock(e, o.style));
    for (const block of pendingErrors.splice(0)) err.lines(block);
    if (model.done && !repeatsError(model.done, errorShown)) {
      out.line('');
      out.lines(summaryLines(model.done, o.style));
    }
  };

  return {
    emit(e: RunEvent) {
      if (closed) return;
      if (e.type === 'start' && !session) out.line(o.style.bold(startLine(e)));
      if (e.type === 'warning' && !session) return out.line(`${o.style.yellow('warning:')}${e.host ? ` [${e.host}]` : ''} ${e.message}`);
      model.apply(e);
      // Only a run's progress needs listr2; a 'done' after a config error does not.
      if (!session && PROGRESS.has(e.type)) {
        // If listr2 cannot draw (fails to load, a renderer error), the blocks at close still print.
        session = run().catch((error: unknown) => void pendingErrors.push(errorBlock(error)));
      }
      tasks.refresh();
    },
    error(error: unknown) {
      errorShown = true;
      // While listr2 draws, a direct write would land in the middle of its frame.
      if (session && !closed) pendingErrors.push(errorBlock(error));
      else err.lines(errorBlock(error));
    },
    async close() {
      if (closed) return;
      closed = true;
      model.finish();
      if (session) await settleWithin(session, CLOSE_TIMEOUT_MS);
      printEnd();
      await Promise.all([flushStream(o.stream), o.errorStream === o.stream ? undefined : flushStream(o.errorStream)]);
    },
  };
}
