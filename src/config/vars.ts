// Var values for one host: declared value, environment variable, or --var, in rising priority.
// Values from the environment are secret unless `secret: false` says otherwise.
import type { At } from './layers.js';
import type { Problem } from './problems.js';
import type { Var } from './schema-types.js';
import type { VarValue } from './stage-config.js';

export interface VarOptions {
  /** --var name=value: over everything declared. */
  overrides: Readonly<Record<string, string>>;
  env: NodeJS.ProcessEnv;
  /** false for `validate`: a missing required value is a matter of the environment, not the file. */
  requireVars: boolean;
}

function one(name: string, v: At<Var>, opts: VarOptions): { value?: VarValue; problem?: Problem } {
  const spec = v.value;
  const override = opts.overrides[name];
  if (typeof spec !== 'object') return { value: { value: override ?? String(spec), secret: false } };
  const secret = spec.secret ?? spec.env !== undefined;
  const fromEnv = spec.env === undefined ? undefined : opts.env[spec.env];
  const value = override ?? fromEnv ?? (spec.value === undefined ? undefined : String(spec.value));
  if (value !== undefined) return { value: { value, secret } };
  if (spec.required && opts.requireVars) {
    const how = spec.env === undefined ? '' : `set environment variable ${spec.env}, or `;
    return { problem: { path: v.path, message: `is required but has no value: ${how}give it with --var ${name}=VALUE`, atKey: true } };
  }
  return { value: { value: '', secret } };
}

export function resolveVars(vars: Record<string, At<Var>>, opts: VarOptions): { vars: Record<string, VarValue>; problems: Problem[] } {
  const out: Record<string, VarValue> = {};
  const problems: Problem[] = [];
  for (const [name, v] of Object.entries(vars)) {
    const r = one(name, v, opts);
    if (r.value) out[name] = r.value;
    if (r.problem) problems.push(r.problem);
  }
  for (const [name, value] of Object.entries(opts.overrides)) out[name] ??= { value, secret: false };
  return { vars: out, problems };
}
