// Rendering a command template: names checked first (same rules as at plan time), then rendered by
// Handlebars in strict mode as a second guard. Any failure is a ShipyamlError naming the template
// (e.g. tasks.migrate.run) and the file:line:col of that template in deploy.yml.
import { ShipyamlError, formatLocation, type SourceLocation } from '../errors/shipyaml-error.js';
import { compileTemplate, isPlainText } from './engine.js';
import { templateIssues, type TemplateIssue } from './check.js';

export interface TemplateWhere {
  /** Where the template is written (the task's run string in deploy.yml). */
  location?: SourceLocation;
  /** What the template is, as the user knows it: "tasks.migrate.run". */
  what: string;
}

function issueLine(template: string, where: TemplateWhere, issue: TemplateIssue): string {
  const prefix = where.location ? `${formatLocation(where.location)} ` : '';
  const inTemplate = template.includes('\n') ? ` (template line ${issue.line})` : '';
  return `${prefix}${where.what} ${issue.message}${inTemplate}`;
}

function templateError(template: string, where: TemplateWhere, issues: readonly TemplateIssue[]): ShipyamlError {
  const first = issues[0]!;
  const inTemplate = template.includes('\n') ? ` (template line ${first.line})` : '';
  return new ShipyamlError('E_TEMPLATE', `${where.what} ${first.message}${inTemplate}`, {
    location: where.location,
    details: issues.length > 1 ? issues.map((i) => issueLine(template, where, i)) : [],
  });
}

/** Throws E_TEMPLATE listing every unknown name; for plan time, before real values exist. */
export function checkTemplate(template: string, knownNames: readonly string[], where: TemplateWhere): void {
  const issues = templateIssues(template, knownNames);
  if (issues.length > 0) throw templateError(template, where, issues);
}

/** Dotted names a context provides: { host: { name } } -> host, host.name. Lists are values. */
export function contextNames(context: object, prefix = '', depth = 0): string[] {
  const names: string[] = [];
  for (const [k, v] of Object.entries(context)) {
    const n = prefix + k;
    names.push(n);
    if (depth < 4 && v !== null && typeof v === 'object' && !Array.isArray(v)) names.push(...contextNames(v as object, `${n}.`, depth + 1));
  }
  return names;
}

/** Lists print as space-separated words in {{{raw}}} too (an Array prints "a,b" by default). */
function withSpacedLists(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    const copy = value.map((v) => withSpacedLists(v, depth + 1));
    Object.defineProperty(copy, 'toString', { value: () => copy.join(' '), enumerable: false });
    return copy;
  }
  if (value !== null && typeof value === 'object' && depth < 5) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSpacedLists(v, depth + 1)]));
  }
  return value;
}

/** `{{x}}` inserts quote(x); `{{{x}}}` inserts x as is. */
export function renderTemplate(template: string, context: object, where: TemplateWhere): string {
  if (isPlainText(template)) return template; // what Handlebars would render, without loading it
  checkTemplate(template, contextNames(context), where);
  try {
    return compileTemplate(template)(withSpacedLists(context));
  } catch (e) {
    const err = e as { message?: string; lineNumber?: number; column?: number };
    const name = /^"([^"]+)" not defined/.exec(String(err.message))?.[1];
    const message = name === undefined ? `could not be rendered: ${String(err.message ?? e)}` : `uses unknown name "${name}"`;
    throw templateError(template, where, [{ message, name, line: err.lineNumber ?? 1, column: (err.column ?? 0) + 1 }]);
  }
}
