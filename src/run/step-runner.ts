import { performance } from 'node:perf_hooks';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { renderCmd } from '../shell/cmd.js';
import type { Redactor } from '../shell/redact.js';
import { batchScript, MARKER, MARKER_PREFIX } from '../plan/batch.js';
import type { Step } from '../plan/plan.js';
import { SECTION } from '../plan/server-state.js';
import type { StdinSource, Transport } from '../transport/transport.js';
import { exitMeaning, now, type EventSink, type Phase } from './events.js';
import { StepError } from './step-error.js';

export interface StepContext {
  emit: EventSink;
  redact: Redactor;
  signal?: AbortSignal;
}

const STDERR_TAIL = 20;
const KEEP_STDOUT = 512 * 1024;
/** A data step's stdout is parsed whole: the cache listing of a 50,000-file build is ~4 MB. */
const KEEP_DATA = 64 * 1024 * 1024;

/**
 * Runs steps on one host in one round trip (see plan/batch.ts), streaming step and output events
 * as the markers arrive. Throws StepError naming the step that failed, with its stderr tail.
 * Returns each step's stdout.
 */
export async function runSteps(t: Transport, phase: Phase, steps: readonly Step[], ctx: StepContext, stdin?: StdinSource): Promise<string[]> {
  if (steps.length === 0) return [];
  const host = t.host.name;
  const stdout: string[] = steps.map(() => '');
  const stderr: string[] = steps.map(() => '');
  const started: number[] = [];
  let cur = -1;
  let errCur = 0;
  let failed: { index: number; code: number } | undefined;
  /** Past the current data step's first section marker (see Step.data). */
  let inData = false;

  const onStdoutLine = (line: string) => {
    const m = MARKER.exec(line);
    const text = m ? line.slice(0, m.index) : line;
    if (text && cur >= 0) {
      if (stdout[cur]!.length < (steps[cur]!.data ? KEEP_DATA : KEEP_STDOUT)) stdout[cur] += text + '\n';
      if (steps[cur]!.data && SECTION.test(text)) inData = true;
      if (!inData) ctx.emit({ type: 'output', time: now(), host, step: steps[cur]!.name, stream: 'stdout', line: ctx.redact(text) });
    }
    if (!m) return;
    const i = Number(m[2]);
    const step = steps[i];
    if (!step) return;
    if (m[1] === 'step') {
      cur = i;
      inData = false;
      started[i] = performance.now();
      ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'start', command: ctx.redact(renderCmd(step.cmd)) });
    } else if (m[1] === 'ok') {
      ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'ok', ms: Math.round(performance.now() - (started[i] ?? 0)) });
    } else failed = { index: i, code: Number(m[3] ?? 1) };
  };
  const onStderrLine = (line: string) => {
    const m = MARKER.exec(line);
    const text = m ? line.slice(0, m.index) : line;
    if (text) {
      stderr[errCur] = (stderr[errCur]! + text + '\n').slice(-64 * 1024);
      ctx.emit({ type: 'output', time: now(), host, step: steps[errCur]!.name, stream: 'stderr', line: ctx.redact(text) });
    }
    if (m && m[1] === 'step') errCur = Math.min(Number(m[2]), steps.length - 1);
  };
  // A data step's section (a cache listing: a line per build file, from every host) is kept as it
  // comes, a chunk's whole lines at once, while no marker can be in them.
  const takeData = (lines: string): boolean => {
    if (!inData || lines.includes(MARKER_PREFIX)) return false;
    if (stdout[cur]!.length < KEEP_DATA) stdout[cur] += lines;
    return true;
  };
  const out = lineSplitter(onStdoutLine, takeData);
  const err = lineSplitter(onStderrLine);

  let result;
  try {
    result = await t.exec(batchScript(steps), { stdin, signal: ctx.signal, onStdout: out.push, onStderr: err.push });
  } catch (e) {
    out.flush();
    err.flush();
    const step = steps[Math.max(0, cur)]!;
    ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'failed' });
    if (e instanceof ShipyamlError && !(e instanceof StepError)) {
      throw new StepError(e.code, { code: e.code, message: `${e.message} (during ${step.name})`, host, phase, step: step.name, hint: e.hint });
    }
    throw e;
  }
  out.flush();
  err.flush();
  if (result.code === 0 && !failed) return stdout;

  const index = failed?.index ?? Math.max(0, cur);
  const step = steps[index]!;
  const code = failed?.code ?? result.code;
  ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'failed', ms: Math.round(performance.now() - (started[index] ?? 0)) });
  const tail = ctx.redact(stderr[index] ?? '').trimEnd().split('\n').filter((l) => l !== '').slice(-STDERR_TAIL);
  const errorCode = step.task ? 'E_HOOK_FAILED' : step.kind === 'upload' ? 'E_TRANSFER' : step.name === 'switch' ? 'E_SWITCH' : 'E_STEP_FAILED';
  throw new StepError(errorCode, {
    code: errorCode,
    message: `${step.task ? `task ${step.task}` : step.name} failed on ${host} with exit code ${code}${result.signal ? ` (${result.signal})` : ''}`,
    host,
    phase,
    step: step.name,
    command: ctx.redact(step.cmd.kind === 'script' ? step.cmd.script : renderCmd(step.cmd)),
    exitCode: code,
    exitMeaning: exitMeaning(code),
    stderrTail: tail,
  });
}

/** One step: a batch of one. Returns its stdout. */
export async function runStep(t: Transport, phase: Phase, step: Step, ctx: StepContext, stdin?: StdinSource): Promise<string> {
  return (await runSteps(t, phase, [step], ctx, stdin))[0]!;
}

/**
 * Splits chunks into whole lines, so hosts never interleave mid-line in any renderer. `takeWhole`
 * may take a chunk's whole lines (ending with a newline) at once instead.
 */
function lineSplitter(onLine: (line: string) => void, takeWhole?: (lines: string) => boolean) {
  let partial = '';
  return {
    push: (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const end = text.lastIndexOf('\n') + 1;
      partial = text.slice(end);
      if (end === 0 || takeWhole?.(text.slice(0, end))) return;
      const parts = text.slice(0, end - 1).split('\n');
      for (const line of parts) onLine(line);
    },
    flush: () => {
      if (partial) onLine(partial);
      partial = '';
    },
  };
}
