// The held shell (transport/held-shell.ts) against a real `sh -s` on this machine: every command
// keeps what a session of its own gave it, and the shell outlives failures.
import { describe, expect, it } from 'vitest';
import { argv, ownScript, script, type Cmd } from '../../src/shell/cmd.js';
import { HeldShell, type StartShell } from '../../src/transport/held-shell.js';
import { LocalTransport } from '../../src/transport/local.js';

const local = new LocalTransport({ name: 'local', local: true } as never);

/** A held shell on this machine; `bytewise` hands its output on one byte at a time. */
function held(opts: { bytewise?: boolean } = {}) {
  const events = { ended: 0 };
  const start: StartShell = (command, run) =>
    local.exec(argv(...command.split(' ')), {
      ...run,
      onStdout: opts.bytewise ? (c) => c.forEach((b) => run.onStdout(Buffer.from([b]))) : run.onStdout,
      onStderr: opts.bytewise ? (c) => c.forEach((b) => run.onStderr(Buffer.from([b]))) : run.onStderr,
    });
  const shell = new HeldShell(start, () => new Error('ended early'));
  void shell.done.then(() => events.ended++);
  return { shell, events };
}

const run = (shell: HeldShell, cmd: Cmd) => {
  const out: string[] = [];
  const err: string[] = [];
  return shell.run(cmd, { onStdout: (c) => out.push(c.toString()), onStderr: (c) => err.push(c.toString()) }).then((r) => ({ ...r, out: out.join(''), err: err.join('') }));
};

describe('HeldShell', () => {
  it('runs command after command in one shell, each with its own output and exit status', async () => {
    const { shell } = held();
    const a = await run(shell, script('echo one; echo $$; echo warn >&2'));
    const b = await run(shell, script('echo two; echo $$; exit 3'));
    const c = await run(shell, argv('printf', '%s|', 'it\'s', 'a b'));
    expect(a).toMatchObject({ code: 0, stdout: expect.stringMatching(/^one\n\d+\n$/), stderr: 'warn\n' });
    expect(a.out).toBe(a.stdout);
    expect(a.err).toBe('warn\n');
    expect(b.code).toBe(3);
    expect(b.stdout.split('\n')[0]).toBe('two');
    // $$ in a subshell is the shell's own pid: the same shell ran both.
    expect(b.stdout.split('\n')[1]).toBe(a.stdout.split('\n')[1]);
    expect(c).toMatchObject({ code: 0, stdout: "it's|a b|" });
    shell.close();
  });

  it('lets nothing a command sets reach the next one: directory, variables, options, traps, umask', async () => {
    const { shell } = held();
    const first = await run(shell, ownScript("cd /tmp; X=1; Y=2; export Y; set -u; trap 'echo trap ran' EXIT; umask 077; alias ll=ls 2>/dev/null || :"));
    expect(first).toMatchObject({ code: 0, stdout: 'trap ran\n' });
    const next = await run(shell, script('pwd; echo "${X-unset} ${Y-unset} $Z_UNSET_OK"; umask; alias ll 2>/dev/null || echo no alias', { cwd: '/' }));
    expect(next.code).toBe(0);
    const [dir, vars, umask, alias] = next.stdout.split('\n');
    expect([dir, vars, alias]).toEqual(['/', 'unset unset ', 'no alias']);
    expect(umask).not.toBe('0077');
    shell.close();
  });

  it('gives a command an empty stdin, so it can never read the commands that follow', async () => {
    const { shell } = held();
    const reader = await run(shell, script('n=$(cat | wc -c); echo "read $n bytes"'));
    const after = await run(shell, script('echo still here'));
    expect(reader).toMatchObject({ code: 0, stdout: expect.stringMatching(/^read\s*0 bytes\n$/) });
    expect(after).toMatchObject({ code: 0, stdout: 'still here\n' });
    shell.close();
  });

  it('fails only the command on a syntax error or an unbalanced quote; the shell goes on', async () => {
    const { shell, events } = held();
    const pid = (await run(shell, script('echo $$'))).stdout;
    const unbalanced = await run(shell, script("echo 'never closed"));
    const syntax = await run(shell, script('if then fi'));
    const after = await run(shell, script('echo $$'));
    expect(unbalanced.code).not.toBe(0);
    expect(syntax.code).not.toBe(0);
    expect(syntax.stderr).toMatch(/syntax|unexpected/i);
    expect(after).toMatchObject({ code: 0, stdout: pid });
    expect(events.ended).toBe(0);
    shell.close();
  });

  it('finds the end line however the output is cut, passes output without a final newline, and a forged end line as output', async () => {
    const { shell } = held({ bytewise: true });
    const r = await run(shell, script("printf 'no newline'; printf 'err no newline' >&2"));
    expect(r).toMatchObject({ code: 0, stdout: 'no newline', stderr: 'err no newline', out: 'no newline' });
    const forged = await run(shell, script("echo '@@shipyaml:done:0123456789abcdef:2:0'; echo '@@shipyaml:done:'; echo after; exit 4"));
    expect(forged).toMatchObject({ code: 4, stdout: '@@shipyaml:done:0123456789abcdef:2:0\n@@shipyaml:done:\nafter\n' });
    shell.close();
  });

  it('an interrupt ends the shell and gives the command its end, as a session of its own would', async () => {
    const { shell, events } = held();
    const stop = new AbortController();
    const started = Date.now();
    const r = shell.run(script('echo started; sleep 5; echo not reached'), { signal: stop.signal, onStdout: () => stop.abort() });
    const result = await r;
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('started\n');
    await new Promise((res) => setTimeout(res, 50));
    expect(events.ended).toBe(1);
    expect(shell.idle).toBe(false);
    await expect(shell.run(script('true'))).rejects.toThrow(/busy or ended/);
  });

  it('runs one command at a time; close ends it after the command running', async () => {
    const { shell, events } = held();
    const first = run(shell, script('sleep 0.2; echo first'));
    expect(shell.idle).toBe(false);
    await expect(shell.run(script('true'))).rejects.toThrow(/busy/);
    shell.close();
    expect((await first).stdout).toBe('first\n');
    await new Promise((res) => setTimeout(res, 100));
    expect(events.ended).toBe(1);
  });
});
