import type { Readable } from 'node:stream';
import { renderCmd } from '../shell/cmd.js';
import type { Redactor } from '../shell/redact.js';
import type { Step } from '../plan/plan.js';
import type { Transport, ExecResult } from '../transport/transport.js';
import { exitMeaning, now, type EventSink, type Phase } from './events.js';
import { StepError } from './step-error.js';

export interface StepContext {
  emit: EventSink;
  redact: Redactor;
  signal?: AbortSignal;
}

const STDERR_TAIL = 20;

/** Runs one step on one host, streams its output as events, and throws StepError on failure. */
export async function runStep(
  t: Transport,
  phase: Phase,
  step: Step,
  ctx: StepContext,
  stdin?: Readable,
): Promise<ExecResult> {
  const host = t.host.name;
  const command = ctx.redact(renderCmd(step.cmd));
  ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'start', command });
  const lines = lineEmitter((stream, line) =>
    ctx.emit({ type: 'output', time: now(), host, step: step.name, stream, line: ctx.redact(line) }),
  );
  let result: ExecResult;
  try {
    result = await t.exec(step.cmd, {
      stdin,
      signal: ctx.signal,
      onStdout: (c) => lines.push('stdout', c),
      onStderr: (c) => lines.push('stderr', c),
    });
  } catch (e) {
    lines.flush();
    ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'failed' });
    throw e;
  }
  lines.flush();
  if (result.code !== 0) {
    ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'failed', ms: Math.round(result.ms) });
    const tail = ctx.redact(result.stderr).trimEnd().split('\n').slice(-STDERR_TAIL).filter((l) => l !== '');
    throw new StepError(step.task ? 'E_HOOK_FAILED' : 'E_STEP_FAILED', {
      code: step.task ? 'E_HOOK_FAILED' : 'E_STEP_FAILED',
      message: step.task
        ? `task ${step.task} failed on ${host} with exit code ${result.code}`
        : `${step.name} failed on ${host} with exit code ${result.code}`,
      host,
      phase,
      step: step.name,
      command: step.task ? ctx.redact(stepScriptBody(step)) : command,
      exitCode: result.code,
      exitMeaning: exitMeaning(result.code),
      stderrTail: tail,
    });
  }
  ctx.emit({ type: 'step', time: now(), host, phase, step: step.name, status: 'ok', ms: Math.round(result.ms) });
  return result;
}

/** A hook's own script, without the cd/env/set -e preamble: what the user wrote, rendered. */
function stepScriptBody(step: Step): string {
  return step.cmd.kind === 'script' ? step.cmd.script : renderCmd(step.cmd);
}

/** Splits output chunks into whole lines per stream so hosts never interleave mid-line. */
function lineEmitter(emitLine: (stream: 'stdout' | 'stderr', line: string) => void) {
  const partial = { stdout: '', stderr: '' };
  return {
    push(stream: 'stdout' | 'stderr', chunk: Buffer) {
      const text = partial[stream] + chunk.toString('utf8');
      const parts = text.split('\n');
      partial[stream] = parts.pop() ?? '';
      for (const line of parts) emitLine(stream, line);
    },
    flush() {
      for (const s of ['stdout', 'stderr'] as const) {
        if (partial[s]) emitLine(s, partial[s]);
        partial[s] = '';
      }
    },
  };
}
