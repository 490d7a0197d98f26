import type { ErrorCode } from '../errors/codes.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import type { FailureInfo } from './events.js';

/** A step that failed on a host, carrying everything its failure block shows. */
export class StepError extends ShipyamlError {
  constructor(
    code: ErrorCode,
    readonly failure: FailureInfo,
  ) {
    super(code, failure.message, { host: failure.host });
  }
}

export function isStepError(e: unknown): e is StepError {
  return e instanceof StepError;
}
