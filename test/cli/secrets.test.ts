import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';

const SECRET = 'hunter2-s3cr3t-value';
const ENV_SECRET = "env'secret;$(x)";

/** Every command, in every output mode, with secrets used in hooks that print them. */
describe('secrets never appear in any output', () => {
  it('vars marked secret or taken from the environment are masked everywhere', async () => {
    const yml = localStage(`vars:
  db_password: { value: ${SECRET}, secret: true }
  api_token: { env: SHIPYAML_TEST_TOKEN }
tasks:
  show: { run: "echo password={{db_password}} token={{api_token}}; echo err={{db_password}} >&2" }
  fail: { run: "echo {{db_password}} {{api_token}} >&2; exit 3" }
hooks:
  before_switch: [show]
  after_switch: [show]`);
    const { dir } = makeApp(yml);
    writeFileSync(join(dir, 'failing.yml'), yml.replace('after_switch: [show]', 'after_switch: [fail]'));
    const env = { SHIPYAML_TEST_TOKEN: ENV_SECRET };
    const runs: [string[], number][] = [
      [['validate'], 0],
      [['validate', 'local'], 0],
      [['plan', 'local'], 0],
      [['setup', 'local'], 0],
      [['deploy', 'local'], 0],
      [['deploy', 'local'], 0],
      [['-c', 'failing.yml', 'deploy', 'local'], 1],
      [['releases', 'local'], 0],
      [['rollback', 'local'], 0],
      [['exec', 'local', '--', `echo ${SECRET}`], 0],
      [['doctor', 'local'], 0],
      [['cleanup', 'local'], 0],
      [['unlock', 'local'], 0],
      [['deploy', 'local', '--var', `db_password=${SECRET}x`], 0],
    ];
    let searched = 0;
    for (const [args, code] of runs) {
      for (const mode of [[], ['--json'], ['--verbose']]) {
        const r = await runCli([...args, ...mode], { cwd: dir, env });
        if (!(args[0] === 'doctor')) expect(r.code, `${args.join(' ')} ${mode.join(' ')}\n${r.stdout}${r.stderr}`).toBe(code);
        const all = r.stdout + r.stderr;
        for (const s of [SECRET, ENV_SECRET, JSON.stringify(ENV_SECRET).slice(1, -1), "env'\\''secret"]) {
          expect(all, `${args.join(' ')} ${mode.join(' ')} leaked`).not.toContain(s);
        }
        searched += all.length;
      }
    }
    // The hooks really printed them: what was searched held masked values.
    const shown = await runCli(['deploy', 'local', '--verbose'], { cwd: dir, env });
    expect(shown.stdout).toContain('password=••••••');
    console.log(`secret leak search: ${runs.length * 3} runs, ${searched} characters of output searched, 0 leaks`);
  }, 180_000);
});
