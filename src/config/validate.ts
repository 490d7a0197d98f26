// Step: the parsed value against schema/deploy.schema.json, every problem at once.
import type { Problem, Result } from './problems.js';
import { fail, ok } from './problems.js';
import { problemsFromAjv } from './ajv-messages.js';
import { schemaValidator } from './schema.js';
import type { DeployConfig } from './schema-types.js';

export function validateShape(value: unknown): Result<DeployConfig> {
  const validate = schemaValidator();
  if (validate(value)) return ok(value);
  const problems: Problem[] = problemsFromAjv(validate.errors ?? [], value);
  return fail(problems);
}
