import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { batchScript } from '../../src/plan/batch.js';
import { ownScript, renderCmd, script } from '../../src/shell/cmd.js';
import type { Step } from '../../src/plan/plan.js';

const step = (name: string, text: string): Step => ({ name, kind: 'command', cmd: script(text) });
const own = (name: string, text: string): Step => ({ name, kind: 'command', cmd: ownScript(text) });

function run(shell: string, steps: Step[]): { code: number; stdout: string } {
  try {
    return { code: 0, stdout: execFileSync(shell, ['-c', renderCmd(batchScript(steps))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, stdout: err.stdout };
  }
}

describe.each(['sh', 'dash', 'bash'])('a batch of steps in %s', (shell) => {
  it('a hook stops at its first failing line (set -e holds inside the batch)', () => {
    const r = run(shell, [step('a', 'echo one'), step('migrate', 'false\necho SHOULD-NOT-RUN'), step('c', 'echo never')]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('SHOULD-NOT-RUN');
    expect(r.stdout).not.toContain('never');
    expect(r.stdout).toContain('@@shipyaml:fail:1:1');
  });

  it('reports the failing step and its exit code, after the ones that passed', () => {
    const r = run(shell, [step('a', 'true'), step('b', 'exit 7')]);
    expect(r.code).toBe(7);
    expect(r.stdout.trim().split('\n')).toEqual(['@@shipyaml:step:0', '@@shipyaml:ok:0', '@@shipyaml:step:1', '@@shipyaml:fail:1:7']);
  });

  it('cd and variables in one step do not leak into the next', () => {
    const r = run(shell, [step('a', 'cd /tmp; X=1'), step('b', 'pwd; echo "x=${X:-unset}"')]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('/tmp\n');
    expect(r.stdout).toContain('x=unset');
  });

  it("shipyaml's own steps share the batch's shell (no fork) and still stop at their first failing line", () => {
    // A child's $PPID is the batch's shell, unless a subshell forked in between.
    // (`; true`: a shell execs a last command in place, which would hide the subshell.)
    const child = 'sh -c \'echo "parent=$PPID"\'; true';
    const r = run(shell, [own('a', `echo "shell=$$"; ${child}`), step('hook', child), own('b', 'false\necho SHOULD-NOT-RUN'), own('c', 'echo never')]);
    const batchShell = /shell=(\d+)/.exec(r.stdout)?.[1];
    const [ownParent, hookParent] = [...r.stdout.matchAll(/parent=(\d+)/g)].map((m) => m[1]);
    expect(batchShell).toBeDefined();
    expect(ownParent).toBe(batchShell);
    expect(hookParent).not.toBe(batchShell);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('SHOULD-NOT-RUN');
    expect(r.stdout).not.toContain('never');
    // No fail marker from a shared shell: the runner gives the exit code to the last step started.
    expect(r.stdout.trim().split('\n').slice(-1)).toEqual(['@@shipyaml:step:2']);
  });

  it('a hook after an own step that changed directory still runs where it says', () => {
    const r = run(shell, [own('a', 'cd /tmp'), { name: 'hook', kind: 'command', cmd: script('pwd', { cwd: '/' }) }]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\n/\n');
  });
});
