import type { ListrTask, ListrTaskWrapper } from 'listr2';
import type { RunEvent } from '../run/events.js';
import { toErrorEvent } from './error-event.js';
import { formatErrorBlock, formatFailureBlock } from './failure-block.js';
import { createLineWriter, flushStream } from './line-writer.js';
import { ProgressModel, type HostProgress, type PhaseProgress } from './progress-model.js';
import type { Style } from './style.js';
import { startLine, summaryLines } from './summary.js';
import { hostOutput, hostTitle, isCollapsed, phaseOutput, phaseTitle } from './tty-titles.js';
import type { Reporter } from './types.js';

// The terminal: listr2's default renderer, driven by events. The runner never runs inside
// listr2; every task only waits for the event that ends it (see ProgressModel), so a failing
// phase is a failed task, not an exception escaping listr2. Failure blocks and the summary are
// printed after listr2 has drawn its last frame, so they are never redrawn or interleaved.

export interface TtyOptions {
  stream: NodeJS.WritableStream;
  errorStream: NodeJS.WritableStream;
  verbose: boolean;
  style: Style;
  redact: (s: string) => string;
  clock: () => Date;
}

/** close() waits this long at most for listr2 to draw its last frame. */
const CLOSE_TIMEOUT_MS = 3000;
/** Live durations ("migrate 3.2s") are recomputed this often. */
const TICK_MS = 250;

type Task = ListrTask<object, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Wrapper = ListrTaskWrapper<object, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

class TaskFailed extends Error {}

export function createTtyReporter(o: TtyOptions): Reporter {
  const model = new ProgressModel(o.clock);
  const out = createLineWriter(o.stream, o.redact);
  const err = createLineWriter(o.errorStream, o.redact);
  const phaseTasks = new Map<PhaseProgress, Wrapper>();
  const hostTasks = new Map<HostProgress, Wrapper>();
  const pendingErrors: string[][] = [];
  let session: Promise<void> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let closed = false;

  const now = () => o.clock().getTime();
  const safe = (s: string) => o.redact(s);
  const set = (t: Wrapper, title: string, output?: string) => {
    if (t.title !== safe(title)) t.title = safe(title);
    if (output !== undefined && (t.output ?? '') !== safe(output)) t.output = safe(output);
  };

  // Copies the model into the running tasks' titles; listr2 redraws on its own spinner tick.
  const refresh = () => {
    const at = now();
    for (const [p, t] of phaseTasks) if (!p.outcome) set(t, phaseTitle(p, at, o.style), isCollapsed(p) ? phaseOutput(p, at) : undefined);
    for (const [h, t] of hostTasks) if (!h.outcome) set(t, hostTitle(h, at, o.style), hostOutput(h, at));
  };

  const hostTask = (h: HostProgress): Task => ({
    title: safe(hostTitle(h, now(), o.style) || h.host),
    task: async (_ctx, t) => {
      hostTasks.set(h, t);
      const outcome = await h.settled.promise;
      hostTasks.delete(h);
      const title = safe(hostTitle(h, now(), o.style));
      // listr2 shows a failed task's error message in place of its title.
      if (outcome === 'failed') throw new TaskFailed(title);
      t.title = title;
    },
  });

  // Untitled, so listr2 draws nothing for it: it only makes the phase fail when its event says so.
  const phaseGate = (p: PhaseProgress, phase: Wrapper): Task => ({
    task: async () => {
      const outcome = await p.settled.promise;
      if (outcome === 'failed') throw new TaskFailed(p.phase);
      if (outcome === 'skipped') phase.skip(safe(phaseTitle(p, now(), o.style)));
    },
  });

  const phaseTask = (p: PhaseProgress): Task => ({
    title: safe(phaseTitle(p, now(), o.style)),
    task: async (_ctx, t) => {
      phaseTasks.set(p, t);
      const finish = async () => {
        const outcome = await p.settled.promise;
        phaseTasks.delete(p);
        set(t, phaseTitle(p, now(), o.style), '');
        return outcome;
      };
      if (p.outcome === 'skipped' || isCollapsed(p)) {
        const outcome = await finish();
        if (outcome === 'failed') throw new TaskFailed(safe(phaseTitle(p, now(), o.style)));
        if (outcome === 'skipped') t.skip(safe(phaseTitle(p, now(), o.style)));
        return;
      }
      void finish();
      // exitOnError false: a failed host must not stop the others' lines; a failed host or gate
      // marks the phase (see the icon for COMPLETED_WITH_FAILED_SUBTASKS below).
      return t.newListr([...[...p.hosts.values()].map(hostTask), phaseGate(p, t)], { concurrent: true, exitOnError: false });
    },
  });

  // listr2 runs the tasks a list had when it started; phases begin later, one at a time. Each
  // link is an untitled task (drawn at its parent's level) that waits for the next phase and
  // then holds that phase and the following link, so the phases appear as one flat list.
  const link = (i: number): Task => ({
    task: async (_ctx, t) => {
      const p = await model.phaseAt(i);
      if (!p) return;
      return t.newListr([phaseTask(p), link(i + 1)], { concurrent: true, exitOnError: false });
    },
  });

  const run = async (): Promise<void> => {
    const listr2 = await import('listr2');
    const { Listr, ListrLogger, ProcessOutput, ListrDefaultRendererLogLevels: Level, figures, color } = listr2;
    const stdout = o.style.enabled ? o.stream : withoutColour(o.stream);
    // listr2 buffers whatever else is written to both streams while it draws. When they are one
    // stream, hand it the same object twice, or its frames would be buffered as stray output.
    const stderr = o.errorStream === o.stream ? stdout : o.errorStream;
    const rendererOptions = {
      logger: new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(stdout as NodeJS.WriteStream, stderr as NodeJS.WriteStream, { leaveEmptyLine: false }) }),
      collapseSubtasks: true,
      collapseErrors: true,
      showErrorMessage: true,
      formatOutput: 'truncate' as const,
      // A phase whose host or gate failed is a failed phase: the same red ✖ as a failed host, not
      // listr2's yellow "completed with failed subtasks" warning sign.
      icon: { [Level.COMPLETED_WITH_FAILED_SUBTASKS]: figures.cross },
      color: { [Level.COMPLETED_WITH_FAILED_SUBTASKS]: (text?: string) => color.red(text ?? '') },
    };
    const root = new Listr<object, 'default', 'default'>([link(0)], {
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
    ticker = setInterval(refresh, TICK_MS);
    ticker.unref();
    try {
      await root.run();
    } finally {
      clearInterval(ticker);
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
    if (model.done) {
      out.line('');
      out.lines(summaryLines(model.done, o.style));
    }
  };

  return {
    emit(e: RunEvent) {
      if (closed) return;
      if (e.type === 'start' && !session) out.line(o.style.bold(startLine(e)));
      model.apply(e);
      if (!session && e.type !== 'error') {
        session = run().catch((error: unknown) => {
          // listr2 could not draw (failed to load, a renderer error): the blocks below still print.
          pendingErrors.push(formatErrorBlock(toErrorEvent(error, { verbose: o.verbose, time: o.clock().toISOString() }), o.style));
        });
      }
      refresh();
    },
    error(error: unknown) {
      const block = formatErrorBlock(toErrorEvent(error, { verbose: o.verbose, time: o.clock().toISOString() }), o.style);
      // While listr2 draws, a direct write would land in the middle of its frame.
      if (session && !closed) pendingErrors.push(block);
      else err.lines(block);
    },
    async close() {
      if (closed) return;
      closed = true;
      model.finish();
      if (session) await withTimeout(session, CLOSE_TIMEOUT_MS);
      if (ticker) clearInterval(ticker);
      printEnd();
      await Promise.all([flushStream(o.stream), o.errorStream === o.stream ? undefined : flushStream(o.errorStream)]);
    },
  };
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void p.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The stream as listr2 sees it with --no-color: colour codes removed, cursor movement kept.
 * listr2 picks its colours from the process environment, not from an option.
 */
function withoutColour(stream: NodeJS.WritableStream): NodeJS.WritableStream {
  const tty = stream as NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean };
  const proxy = {
    isTTY: true,
    get columns() {
      return tty.columns;
    },
    get rows() {
      return tty.rows;
    },
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return (stream.write as (...a: unknown[]) => boolean).call(stream, stripColour(text), ...rest);
    },
    on: stream.on.bind(stream),
    once: stream.once.bind(stream),
    off: stream.removeListener.bind(stream),
    removeListener: stream.removeListener.bind(stream),
  };
  return proxy as unknown as NodeJS.WritableStream;
}

const stripColour = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
