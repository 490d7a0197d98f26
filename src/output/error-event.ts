import { ERROR_CODES, EXIT } from '../errors/codes.js';
import { isShipyamlError } from '../errors/shipyaml-error.js';
import type { RunEvent } from '../run/events.js';

export type ErrorEvent = Extract<RunEvent, { type: 'error' }>;

export const INTERNAL_MESSAGE = 'internal error (a bug in shipyaml)';

/**
 * An error thrown outside a run, as data: the 'error' event of --json, and what the error block
 * prints. Anything that is not a ShipyamlError is a bug in shipyaml and says so.
 */
export function toErrorEvent(err: unknown, options: { verbose?: boolean; time: string }): ErrorEvent {
  if (isShipyamlError(err)) {
    const ev: ErrorEvent = { type: 'error', time: options.time, code: err.code, message: err.message, exitCode: err.exit };
    if (err.details.length > 0) ev.details = [...err.details];
    if (err.hint) ev.hint = err.hint;
    if (err.location) ev.location = { ...err.location };
    if (err.host) ev.host = err.host;
    if (options.verbose && err.stack) ev.stack = withCauses(err);
    return ev;
  }
  const message = err instanceof Error ? err.message : String(err);
  const ev: ErrorEvent = {
    type: 'error',
    time: options.time,
    code: 'E_INTERNAL',
    message: message ? `${INTERNAL_MESSAGE}: ${message}` : INTERNAL_MESSAGE,
    exitCode: EXIT.failed,
    hint: ERROR_CODES.E_INTERNAL.fix,
  };
  if (options.verbose && err instanceof Error && err.stack) ev.stack = withCauses(err);
  return ev;
}

/** The stack, followed by each cause's: the cause is usually where the bug is. */
function withCauses(err: Error): string {
  const parts = [err.stack ?? String(err)];
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    parts.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}
