import { ERROR_CODES, type ErrorCode, type ExitCode } from './codes.js';

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export interface ErrorOptions {
  hint?: string;
  location?: SourceLocation;
  host?: string;
  /** Further lines shown under the message (each config problem, stderr tail…). */
  details?: string[];
  cause?: unknown;
  exit?: ExitCode;
}

/** The one error type: everything a user can cause ends as one of these, printed as one block. */
export class ShipyamlError extends Error {
  readonly code: ErrorCode;
  readonly exit: ExitCode;
  readonly hint: string;
  readonly location?: SourceLocation;
  readonly host?: string;
  readonly details: string[];

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShipyamlError';
    this.code = code;
    this.exit = options.exit ?? ERROR_CODES[code].exit;
    this.hint = options.hint ?? ERROR_CODES[code].fix;
    this.location = options.location;
    this.host = options.host;
    this.details = options.details ?? [];
  }
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

export function isShipyamlError(e: unknown): e is ShipyamlError {
  return e instanceof ShipyamlError;
}
