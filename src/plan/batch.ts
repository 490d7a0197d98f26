// Several steps of one host sent as one script: one round trip per phase, however many hooks and
// shared paths there are. Markers on stdout and stderr let the runner attribute every line and
// the exit code to its step, so a failure still names the task that failed.
import { renderCmd, type Cmd } from '../shell/cmd.js';
import type { Step } from './plan.js';

/** Every line shipyaml's scripts print for shipyaml itself starts with this: step markers, state sections. */
export const MARKER_PREFIX = '@@shipyaml:';

export const MARKER = /@@shipyaml:(step|ok|fail):(\d+)(?::(\d+))?$/;

export function batchScript(steps: readonly Step[]): Cmd {
  const parts: string[] = [];
  steps.forEach((step, i) => {
    // Only an upload reads stdin (the tar stream); every other step gets /dev/null, so a hook
    // that reads stdin can never swallow or corrupt the build.
    const input = step.kind === 'upload' ? '' : ' </dev/null';
    parts.push(`echo '@@shipyaml:step:${i}'; echo '@@shipyaml:step:${i}' >&2`);
    const c = step.cmd;
    if (c.kind === 'script' && c.own && c.cwd === undefined && c.env === undefined) {
      // shipyaml's own script in this shell: no fork (~2 ms of a small server, 9 steps per host
      // per deploy). A failure ends the whole script with its code, which the runner gives to
      // this step, the last one that started.
      parts.push(`set -e\n{\n${c.script}\n}${input}\nset +e`);
    } else {
      parts.push(
        // Not `( … ) || …`: a shell ignores `set -e` inside anything left of `||`, so a hook would
        // run past its failing line. The exit code is read on the next line instead.
        `(\n${renderCmd(c)}\n)${input}`,
        `rc=$?; if [ "$rc" -ne 0 ]; then echo "@@shipyaml:fail:${i}:$rc"; exit "$rc"; fi`,
      );
    }
    parts.push(`echo '@@shipyaml:ok:${i}'`);
  });
  return { kind: 'script', script: parts.join('\n'), strict: false };
}
