// The one Handlebars instance for shell templates. `{{x}}` must insert shell-quoted text, not
// HTML-escaped text. Handlebars' generated code calls its own Utils.escapeExpression (not the
// instance's), so overriding `escapeExpression` on the instance has no effect; instead this
// instance's compiler emits a call to a private helper where it would escape.
import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';
import { quote } from '../shell/quote.js';

// The package's main entry (lib/index.js) loads ~45 files, source-map among them, for what shipyaml
// never uses (source maps of precompiled templates, the .hbs require hook, the AST printer). Its
// single-file build is the same version's runtime and compiler in one file. Loaded on first use:
// a config whose scripts have no {{ never needs it (see isPlainText).
const loadHandlebars = () => createRequire(import.meta.url)('handlebars/dist/handlebars.js') as typeof HandlebarsModule;

/**
 * Text without "{{" has no mustache, so Handlebars parses it to one content node and renders it
 * unchanged (a backslash escapes only "{{"): callers skip the engine for it. NUL is the one
 * character its lexer rejects anywhere, so text with one still goes to Handlebars for the error.
 */
export function isPlainText(template: string): boolean {
  return !template.includes('{{') && !template.includes('\0');
}

/** The helper's name has a space, so a template cannot call it by accident. */
const QUOTE_HELPER = 'shipyaml shell-quote';

/** `{{x}}`: the value quoted for POSIX sh; a list becomes its items, each quoted, space-separated. */
export function shellValue(value: unknown): string {
  if (value === null || value === undefined) return quote('');
  if (Array.isArray(value)) return value.map((v) => quote(String(v))).join(' ');
  return quote(String(value));
}

/** Handlebars' typings omit the compiler class, which is its documented extension point. */
interface WithCompiler {
  JavaScriptCompiler: new () => object;
}

function createEngine(): typeof HandlebarsModule {
  const hb = loadHandlebars().create();
  const Base = (hb as unknown as WithCompiler).JavaScriptCompiler;
  class ShellCompiler extends Base {}
  const proto = ShellCompiler.prototype as unknown as {
    compiler: unknown;
    appendEscaped(this: CompilerThis): void;
  };
  interface CompilerThis {
    pushSource(s: unknown): void;
    appendToBuffer(parts: unknown[]): unknown;
    popStack(): unknown;
  }
  proto.compiler = ShellCompiler; // nested blocks ({{#if}}) are compiled by the same class
  proto.appendEscaped = function appendEscaped(this: CompilerThis) {
    // Runtime helpers are wrapped to receive an options object last, hence the `{}`.
    this.pushSource(this.appendToBuffer([`helpers[${JSON.stringify(QUOTE_HELPER)}]`, '(', this.popStack(), ', {})']));
  };
  (hb as unknown as WithCompiler).JavaScriptCompiler = ShellCompiler;
  hb.registerHelper(QUOTE_HELPER, (value: unknown) => shellValue(value));
  hb.unregisterHelper('log'); // would print to the console and shadow a var named log
  return hb;
}

let engine: typeof HandlebarsModule | undefined;
export function templateEngine(): typeof HandlebarsModule {
  engine ??= createEngine();
  return engine;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

export function compileTemplate(template: string): HandlebarsTemplateDelegate {
  let fn = compiled.get(template);
  if (!fn) {
    // strict: a name missing from the context is an error, never an empty string in a command.
    fn = templateEngine().compile(template, { strict: true, knownHelpersOnly: true });
    compiled.set(template, fn);
  }
  return fn;
}
