import { quote, quoteArgv } from './quote.js';

/**
 * A command for a host: an argv (every word quoted when rendered) or, as an explicit variant,
 * a script whose text is already shell (from a template that quoted its values). Never guessed
 * from whitespace: that guess is what broke env and cwd handling in sshkit.
 */
export type Cmd =
  | { kind: 'argv'; argv: readonly string[]; cwd?: string; env?: Readonly<Record<string, string>> }
  | {
      kind: 'script';
      script: string;
      cwd?: string;
      env?: Readonly<Record<string, string>>;
      strict?: boolean;
      /** One of shipyaml's own scripts (see ownScript): a batch may run it without a subshell. */
      own?: boolean;
    };

export const argv = (...words: string[]): Cmd => ({ kind: 'argv', argv: words });
export const script = (text: string, opts: { cwd?: string; env?: Record<string, string> } = {}): Cmd => ({
  kind: 'script',
  script: text,
  strict: true,
  ...opts,
});

/**
 * A script of shipyaml's own (plan/steps.ts), written so that it may share the batch's shell
 * (plan/batch.ts): absolute paths only, nothing it sets is read by a later step, and it ends only
 * by failing (`exit` with a non-zero code or a failing command under `set -e`), never `exit 0`.
 * Hooks and every user template keep their own subshell.
 */
export const ownScript = (text: string): Cmd => ({ kind: 'script', script: text, strict: true, own: true });

/**
 * Renders a Cmd to the one string a POSIX `sh -c` runs. Scripts run under `set -e` and in their
 * own subshell so that `cd` and variables never leak into the next step.
 */
export function renderCmd(cmd: Cmd): string {
  const prefix: string[] = [];
  if (cmd.cwd !== undefined) prefix.push(`cd ${quote(cmd.cwd)} || exit 1`);
  for (const [k, v] of Object.entries(cmd.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name: ${k}`);
    prefix.push(`${k}=${quote(v)}; export ${k}`);
  }
  const body = cmd.kind === 'argv' ? quoteArgv(cmd.argv) : cmd.strict === false ? cmd.script : `set -e\n${cmd.script}`;
  if (prefix.length === 0) return body;
  return `${prefix.join('\n')}\n${body}`;
}
