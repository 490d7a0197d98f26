// Step: the parsed value against schema/deploy.schema.json, every problem at once.
import type { Problem, Result } from './problems.js';
import { fail, ok } from './problems.js';
import { problemsFromAjv } from './ajv-messages.js';
import { deployErrors } from './schema-check.js';
import type { DeployConfig } from './schema-types.js';

export function validateShape(value: unknown): Result<DeployConfig> {
  const errors = deployErrors(value);
  if (errors === undefined) return ok(value as DeployConfig);
  const problems: Problem[] = problemsFromAjv(errors, value);
  return fail(problems);
}
