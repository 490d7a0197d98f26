import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/events.schema.json', import.meta.url), 'utf8'));
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const validate = addFormats(new Ajv2020({ allErrors: true, strict: true })).compile(schema);

/** Every stdout line of a --json run must be one event that the published schema accepts. */
function events(stdout: string): { type: string; [k: string]: unknown }[] {
  const lines = stdout.trim().split('\n');
  return lines.map((line) => {
    const e = JSON.parse(line);
    expect(validate(e), `${line}\n${JSON.stringify(validate.errors)}`).toBe(true);
    return e;
  });
}

describe('--json events of real runs validate against schema/events.schema.json', () => {
  it('a deploy, a failed deploy, a rollback, releases, plan and a config error', async () => {
    const { dir } = makeApp(
      localStage(`tasks:
  boom: { run: "echo about to fail >&2; exit 127" }
hooks:
  before_switch: [boom]`),
    );
    writeFileSync(join(dir, 'ok.yml'), localStage());
    const ok1 = await runCli(['-c', 'ok.yml', 'deploy', 'local', '--json'], { cwd: dir });
    expect(ok1.code).toBe(0);
    const e1 = events(ok1.stdout);
    expect(e1[0]!.type).toBe('start');
    expect(e1.at(-1)).toMatchObject({ type: 'done', ok: true, exitCode: 0 });
    expect(e1.some((e) => e.type === 'transfer')).toBe(true);
    expect((await runCli(['-c', 'ok.yml', 'deploy', 'local', '--json'], { cwd: dir })).code).toBe(0);

    const failed = await runCli(['deploy', 'local', '--json'], { cwd: dir });
    expect(failed.code).toBe(1);
    const e2 = events(failed.stdout);
    const failure = e2.find((e) => e.type === 'failure') as { failure: Record<string, unknown> } | undefined;
    expect(failure?.failure).toMatchObject({ code: 'E_HOOK_FAILED', host: 'local', phase: 'prepare', step: 'boom', exitCode: 127, exitMeaning: 'command not found' });
    expect(failure?.failure.stderrTail).toEqual(['about to fail']);
    expect(failure?.failure.state).toMatch(/^still on \d{8}-\d{6}(-\d+)?; new release removed$/);
    expect(e2.at(-1)).toMatchObject({ type: 'done', ok: false, exitCode: 1 });

    const back = await runCli(['-c', 'ok.yml', 'rollback', 'local', '--json'], { cwd: dir });
    expect(back.code).toBe(0);
    expect(events(back.stdout).at(-1)).toMatchObject({ type: 'done', ok: true, command: 'rollback' });

    const rel = await runCli(['-c', 'ok.yml', 'releases', 'local', '--json'], { cwd: dir });
    const result = events(rel.stdout).find((e) => e.type === 'result') as { data: { rows: unknown[] } } | undefined;
    expect(result?.data.rows).toHaveLength(2);

    const plan = await runCli(['-c', 'ok.yml', 'plan', 'local', '--json'], { cwd: dir });
    expect(events(plan.stdout).some((e) => e.type === 'result')).toBe(true);

    writeFileSync(join(dir, 'bad.yml'), 'app: x\nstages:\n  local:\n    hosts: [{ local: yes please }]\n');
    const bad = await runCli(['-c', 'bad.yml', 'validate', '--json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(events(bad.stdout).find((e) => e.type === 'error')).toMatchObject({ code: 'E_CONFIG', exitCode: 2 });
    expect(bad.stderr).toBe('');
  }, 90_000);
});

describe('exit codes of each failure kind', () => {
  it.each([
    { what: 'a config error', args: ['-c', 'bad.yml', 'validate'], code: 2 },
    { what: 'an unknown stage', args: ['deploy', 'nope'], code: 2 },
    { what: 'an unknown command', args: ['deplyo', 'local'], code: 2 },
    { what: 'an unknown flag', args: ['deploy', 'local', '--fulll'], code: 2 },
    { what: 'a failing hook', args: ['-c', 'failing.yml', 'deploy', 'local'], code: 1 },
    { what: 'rollback with nothing to go back to', args: ['rollback', 'local'], code: 1 },
    { what: 'a held lock', args: ['-c', 'locked.yml', 'deploy', 'local'], code: 3 },
  ])('$what exits $code', async ({ args, code }) => {
    const { dir, root } = makeApp(localStage());
    writeFileSync(join(dir, 'bad.yml'), 'app: [x]\n');
    writeFileSync(join(dir, 'failing.yml'), localStage('tasks: { f: "false" }\nhooks: { before_switch: [f] }'));
    writeFileSync(join(dir, 'locked.yml'), localStage());
    if (args.includes('locked.yml')) {
      expect((await runCli(['deploy', 'local'], { cwd: dir })).code).toBe(0);
      writeFileSync(join(root, '.shipyaml/lock'), '{"user":"bob"}');
    }
    const r = await runCli(args as string[], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(code);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  }, 30_000);
  it("the server's state that a run reads (releases, log, cache listing) is data, not output events", async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}.txt`, `file ${i}`]));
    const { dir } = makeApp(localStage(), files);
    for (let i = 0; i < 2; i++) expect((await runCli(['deploy', 'local', '--json'], { cwd: dir })).code).toBe(0);
    for (const args of [['deploy', 'local'], ['rollback', 'local'], ['releases', 'local']]) {
      const r = await runCli([...args, '--json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const out = events(r.stdout).filter((e) => e.type === 'output');
      // What the lock round shows is its result; the state it reads is data.
      const stateLines = out.filter((e) => e.step === 'lock' || e.step === 'read_state').map((e) => e.line);
      expect(stateLines, args.join(' ')).toEqual(args[0] === 'releases' ? [] : ['taken']);
      // The cache listing alone would be a line per file of the build.
      expect(out.length, args.join(' ')).toBeLessThan(20);
    }
  }, 60_000);
});
