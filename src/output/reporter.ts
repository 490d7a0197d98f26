import { createJsonReporter } from './json-reporter.js';
import { colorEnabled, resolveMode } from './mode.js';
import { createPlainReporter } from './plain-reporter.js';
import { createStyle } from './style.js';
import { createTtyReporter } from './tty-reporter.js';
import type { Reporter, ReporterOptions } from './types.js';

/**
 * The one entry point: picks the renderer for the stream and environment. The tty renderer
 * imports listr2 only once a run starts, so `--version`, plain and json output never load it.
 */
export function createReporter(options: ReporterOptions): Reporter {
  const env = options.env ?? process.env;
  const stream = options.stream ?? process.stdout;
  // Tests pass one stream and read everything from it; the CLI passes none and gets stderr.
  const errorStream = options.errorStream ?? (options.stream ? options.stream : process.stderr);
  const verbose = options.verbose ?? false;
  const redact = options.redact ?? ((s: string) => s);
  const clock = options.clock ?? (() => new Date());
  const mode = resolveMode(options.mode, stream, env, verbose);
  if (mode === 'json') return createJsonReporter({ stream, verbose, redact, clock });
  const style = createStyle(colorEnabled(mode, stream, env, options.color));
  const common = { stream, errorStream, verbose, style, redact, clock };
  return mode === 'tty' ? createTtyReporter(common) : createPlainReporter(common);
}
