import type { OutputMode, ResolvedMode } from './types.js';

// Which renderer, and whether to colour, from the stream and the environment only: the same
// command must print the same way in a terminal, under CI and through a pipe.

type Env = NodeJS.ProcessEnv;

const isSet = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

export function isCI(env: Env): boolean {
  return isSet(env.CI) || isSet(env.CONTINUOUS_INTEGRATION) || isSet(env.BUILD_NUMBER) || isSet(env.GITHUB_ACTIONS);
}

export function isTerminal(stream: NodeJS.WritableStream, env: Env): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true && env.TERM !== 'dumb';
}

/**
 * auto: listr2 in an interactive terminal, plain lines elsewhere. --verbose also picks plain
 * lines: streaming every output line under a redrawing task list would scroll it away.
 */
export function resolveMode(mode: OutputMode, stream: NodeJS.WritableStream, env: Env, verbose = false): ResolvedMode {
  if (mode !== 'auto') return mode;
  return isTerminal(stream, env) && !isCI(env) && !verbose ? 'tty' : 'plain';
}

/** NO_COLOR (no-color.org) and --no-color win; FORCE_COLOR forces it (CI logs that render ANSI); else a terminal. */
export function colorEnabled(mode: ResolvedMode, stream: NodeJS.WritableStream, env: Env, color?: boolean): boolean {
  if (mode === 'json' || color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return isSet(env.FORCE_COLOR) || env.FORCE_COLOR === '';
  return isTerminal(stream, env);
}
