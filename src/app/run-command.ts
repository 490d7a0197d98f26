import { ShipyamlError, isShipyamlError } from '../errors/shipyaml-error.js';
import { EXIT } from '../errors/codes.js';
import { createRedactor, type Redactor } from '../shell/redact.js';
import { now, type Phase, type RunEvent } from '../run/events.js';
import { isStepError } from '../run/step-error.js';
import { Leftovers } from '../run/leftovers.js';
import { createReporter, type Reporter } from '../output/index.js';
import type { GlobalOptions } from './options.js';

export interface CommandContext {
  opts: GlobalOptions;
  emit: (e: RunEvent) => void;
  /** Set once the config is known, so every later line is redacted with its secrets. */
  setSecrets(values: string[]): void;
  redact: Redactor;
  signal: AbortSignal;
  reporter: Reporter;
  leftovers: Leftovers;
  /** The stage, once known, for the commands a second Ctrl-C suggests. */
  stageName?: string;
}

export interface CommandOutcome {
  message: string;
  releaseId?: string;
  phases?: { phase: Phase; ms: number }[];
  hosts?: { host: string; state: string }[];
  /** Text for stdout once progress output has finished (tables, plans, grouped exec output). */
  print?: string;
  /** JSON written instead of `print` under --json, as one `result` line. */
  data?: unknown;
  /** A command that completed but found problems (doctor) ends with this code. */
  exitCode?: number;
}

/**
 * The one top-level handler: runs a command body with a reporter and the interrupt wiring,
 * turns every error into its block and exit code, and never lets a stack trace reach a user
 * unless --verbose asks for it.
 */
export async function runCommand(
  command: string,
  opts: GlobalOptions,
  body: (ctx: CommandContext) => Promise<CommandOutcome | void>,
): Promise<number> {
  let redactor: Redactor = (t) => t;
  const redact: Redactor = (t) => redactor(t);
  const reporter = createReporter({
    mode: opts.json ? 'json' : 'auto',
    verbose: opts.verbose,
    color: opts.color,
    redact,
  });
  const controller = new AbortController();
  const leftovers = new Leftovers();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      reporter.emit({ type: 'warning', time: now(), message: `${sig} received: stopping safely (press Ctrl-C again to exit at once)` });
      controller.abort();
    } else {
      process.stderr.write(`\nshipyaml: exiting at once on a second ${sig}.\n${redactor(leftovers.describe(ctx.stageName ?? 'STAGE'))}\n`);
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  const ctx: CommandContext = {
    opts,
    emit: (e) => reporter.emit(e),
    setSecrets: (values) => {
      redactor = createRedactor(values);
    },
    redact,
    signal: controller.signal,
    reporter,
    leftovers,
  };
  let exitCode: number = EXIT.ok;
  let outcome: CommandOutcome | void = undefined;
  try {
    outcome = await body(ctx);
    if (outcome) {
      exitCode = outcome.exitCode ?? EXIT.ok;
      if (outcome.data !== undefined) reporter.emit({ type: 'result', time: now(), command, data: outcome.data });
      reporter.emit({
        type: 'done',
        time: now(),
        command,
        ok: exitCode === EXIT.ok,
        exitCode,
        releaseId: outcome.releaseId,
        message: redact(outcome.message),
        ms: Date.now() - started,
        phases: outcome.phases ?? [],
        hosts: outcome.hosts ?? [],
      });
    }
  } catch (e) {
    const err = controller.signal.aborted && !isShipyamlError(e) ? new ShipyamlError('E_INTERRUPTED', 'interrupted') : e;
    exitCode = controller.signal.aborted ? EXIT.interrupted : isShipyamlError(err) ? err.exit : EXIT.failed;
    if (isStepError(err)) reporter.emit({ type: 'failure', time: now(), failure: { ...err.failure, hint: err.failure.hint ?? err.hint } });
    else reporter.error(err);
    reporter.emit({
      type: 'done',
      time: now(),
      command,
      ok: false,
      exitCode,
      message: redact(err instanceof Error ? err.message : String(err)),
      ms: Date.now() - started,
      phases: [],
      hosts: [],
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await reporter.close();
  }
  if (outcome?.print && !opts.json) process.stdout.write(redact(outcome.print));
  return exitCode;
}
