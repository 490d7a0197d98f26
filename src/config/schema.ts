// The schema file is the one source of the config's shape. It is read from the package's schema/
// (see package-files.ts), the same file the package ships for editors, and compiled once per
// process when errors have to be explained (a valid config is checked by the precompiled
// validators in generated/, see schema-check.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { deploySchemaFile } from '../package-files.js';
import type { DeployConfig } from './schema-types.js';

// ajv is loaded on first use, not on import: importing it costs more than a whole valid-config
// load. require() keeps schemaValidator() synchronous (ajv is CommonJS). The bundled CLI leaves
// ajv external, and any module URL inside the package resolves it from the package's node_modules.
const require = createRequire(import.meta.url);

type JsonObject = Record<string, unknown>;

let schema: JsonObject | undefined;
let ajvInstance: Ajv2020 | undefined;
let validator: ValidateFunction<DeployConfig> | undefined;
let recipeValidatorFn: ValidateFunction | undefined;
let defNames: Map<unknown, string> | undefined;

export function deploySchema(): JsonObject {
  schema ??= JSON.parse(readFileSync(deploySchemaFile(), 'utf8')) as JsonObject;
  return schema;
}

export function schemaValidator(): ValidateFunction<DeployConfig> {
  if (!validator) {
    const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const ajv = (ajvInstance = new Ajv({
      allErrors: true, // every problem at once, not the first
      verbose: true, // errors carry the schema and data, for messages and "found X"
      strict: true, // a typo in the schema itself fails loudly...
      strictTypes: false, // ...but a pattern shared by string-or-mapping values is intended
      strictRequired: false, // `required` inside oneOf/not names properties defined beside it
      allowUnionTypes: true,
    }));
    validator = ajv.compile<DeployConfig>(deploySchema());
  }
  return validator;
}

/** A recipe file against $defs/recipe of the same schema (same instance, so messages match). */
export function recipeValidator(): ValidateFunction {
  if (!recipeValidatorFn) {
    schemaValidator();
    recipeValidatorFn = ajvInstance!.compile({ $ref: `${String(deploySchema().$id)}#/$defs/recipe` });
  }
  return recipeValidatorFn;
}

/** Which $defs entry a (sub)schema object is, so messages can be phrased per kind of value. */
export function defNameOf(subschema: unknown): string | undefined {
  if (!defNames) {
    defNames = new Map();
    const defs = (deploySchema().$defs ?? {}) as JsonObject;
    for (const [name, def] of Object.entries(defs)) defNames.set(def, name);
  }
  return defNames.get(subschema);
}

/** Property names a mapping schema allows, for "did you mean". */
export function allowedKeys(subschema: unknown): string[] {
  const props = (subschema as { properties?: JsonObject } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/** Keys that exist only at the top level, to explain why they are rejected inside a stage. */
export function topLevelOnlyKeys(): string[] {
  const top = allowedKeys(deploySchema());
  const stage = allowedKeys((deploySchema().$defs as JsonObject).stage);
  return top.filter((k) => !stage.includes(k));
}
