// Several steps of one host sent as one script: one round trip per phase, however many hooks and
// shared paths there are. Markers on stdout and stderr let the runner attribute every line and
// the exit code to its step, so a failure still names the task that failed.
import { renderCmd, type Cmd } from '../shell/cmd.js';
import type { Step } from './plan.js';

export const MARKER = /@@shipyaml:(step|ok|fail):(\d+)(?::(\d+))?$/;

export function batchScript(steps: readonly Step[]): Cmd {
  const parts: string[] = [];
  steps.forEach((step, i) => {
    // Only an upload reads stdin (the tar stream); every other step gets /dev/null, so a hook
    // that reads stdin can never swallow or corrupt the build.
    const input = step.kind === 'upload' ? '' : ' </dev/null';
    parts.push(
      `echo '@@shipyaml:step:${i}'; echo '@@shipyaml:step:${i}' >&2`,
      // Not `( … ) || …`: a shell ignores `set -e` inside anything left of `||`, so a hook would
      // run past its failing line. The exit code is read on the next line instead.
      `(\n${renderCmd(step.cmd)}\n)${input}`,
      `rc=$?; if [ "$rc" -ne 0 ]; then echo "@@shipyaml:fail:${i}:$rc"; exit "$rc"; fi`,
      `echo '@@shipyaml:ok:${i}'`,
    );
  });
  return { kind: 'script', script: parts.join('\n'), strict: false };
}
