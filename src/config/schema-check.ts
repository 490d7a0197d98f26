// A value against the deploy schema (or its recipe entry point), with the fewest modules loaded:
// the precompiled validators answer valid/invalid; only an invalid value compiles the schema with
// ajv at run time, for errors whose messages depend on the parsed schema's own objects (see
// ajv-messages.ts). Error paths are rare, so they may be slower; the valid path is every command.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validateDeploy, validateRecipe } from './generated/validators.js';
import { recipeValidator, schemaValidator } from './schema.js';

type Check = (value: unknown) => boolean;

/** undefined when the value is valid; otherwise the runtime validator's (verbose) errors. */
function errorsOf(fast: Check, runtime: () => ValidateFunction, value: unknown): ErrorObject[] | undefined {
  if (fast(value)) return undefined;
  const validate = runtime();
  // Both come from the same schema and options (a unit test holds them to agree); should they
  // ever differ, the runtime validator decides, as the messages come from it.
  if (validate(value)) return undefined;
  return validate.errors ?? [];
}

export function deployErrors(value: unknown): ErrorObject[] | undefined {
  return errorsOf(validateDeploy as Check, schemaValidator, value);
}

export function recipeErrors(value: unknown): ErrorObject[] | undefined {
  return errorsOf(validateRecipe as Check, recipeValidator, value);
}
