// The hostile and broken input corpus on the local target: every case refused with exit 2, its
// message and file:line:col, no stack trace, and the deploy directory (and HOME) byte for byte
// unchanged; vars with shell metacharacters accepted and delivered literally.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from '../support/app.js';
import { CONFIG, captureVarsYaml, commonCases, expectRefused, hostileValues, type BadCase } from '../support/bad-input.js';
import { runCli } from '../support/cli.js';
import { snapshotTree } from '../support/tree.js';

const cfg = ({ top = '', stage = '', deployTo, hosts }: { top?: string; stage?: string; deployTo?: string; hosts?: string } = {}) => `app: demo
source: { build: ./build }
${top}
stages:
  local:
    hosts:
${hosts ?? '      - { local: true }'}
    deploy_to: ${deployTo ?? (hosts ? '/srv/app' : './srv')}
${stage}
`;

const LOCAL_ONLY: BadCase[] = [
  { name: 'local deploy_to ~ (the whole home directory)', file: cfg({ deployTo: '"~"' }), message: 'deploy_to must not be the home directory', at: '"~"' },
  { name: 'local deploy_to ~/', file: cfg({ deployTo: '"~/"' }), message: 'deploy_to must not be the home directory', at: '"~/"' },
  { name: 'local deploy_to containing the build', file: cfg({ deployTo: '.' }), message: 'contains source.build', at: { text: 'deploy_to: .', plus: 11 } },
  { name: 'remote deploy_to relative', file: cfg({ hosts: '      - web1', deployTo: 'srv/app' }), args: ['plan', 'local'], message: 'must be an absolute path on a remote host', at: 'srv/app' },
  { name: 'remote deploy_to ~/app', file: cfg({ hosts: '      - web1', deployTo: '"~/app"' }), args: ['plan', 'local'], message: '"~" is not expanded on the server', at: '"~/app"' },
  { name: 'a local host next to remote hosts', file: cfg({ hosts: '      - web1\n      - { local: true }' }), message: 'is a local host in a stage with remote hosts', at: '{ local: true }' },
];

let dir: string;
let root: string;
let home: string;
const env = () => ({ HOME: home });
const results: { name: string; handled: boolean }[] = [];

beforeAll(async () => {
  ({ dir, root } = makeApp(cfg()));
  // A HOME of its own: a case that wrongly deployed into ~ would show here, not in the real one.
  home = mkdtempSync(join(tmpdir(), 'shipyaml-home-'));
  writeFileSync(join(home, '.profile'), '# mine\n');
  const r = await runCli(['deploy', 'local'], { cwd: dir, env: env() });
  expect(r.code, r.stdout + r.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  const handled = results.filter((r) => r.handled).length;
  console.log(`bad input (local): ${results.length} cases tried, ${handled} handled${handled < results.length ? `; not handled: ${results.filter((r) => !r.handled).map((r) => r.name).join('; ')}` : ''}`);
});

describe('hostile and broken input on the local target', () => {
  for (const c of [...commonCases({ cfg, stage: 'local', base: './srv' }), ...LOCAL_ONLY]) {
    it(`refused: ${c.name}`, async () => {
      results.push({ name: c.name, handled: false });
      writeFileSync(join(dir, CONFIG), c.file);
      const before = [snapshotTree(root), snapshotTree(home)];
      const args = c.noConfigFlag ? c.args! : ['-c', CONFIG, ...(c.args ?? ['deploy', 'local'])];
      const r = await runCli(args, { cwd: dir, env: env() });
      expectRefused(c, r);
      expect([snapshotTree(root), snapshotTree(home)], `${c.name}: trees changed`).toEqual(before);
      results[results.length - 1]!.handled = true;
    }, 30_000);
  }

  it('vars with shell metacharacters, quotes and newlines are accepted and arrive literally (deploy.yml and --var)', async () => {
    const pwned = join(dir, 'PWNED');
    const values = hostileValues(pwned);
    writeFileSync(join(dir, CONFIG), cfg({ top: captureVarsYaml(values) }));
    for (const [label, extra] of [['deploy.yml', [] as string[]], ['--var', values.flatMap((v, i) => ['--var', `v${i}=${[...v].reverse().join('')}`])]] as const) {
      const names = values.map((_, i) => `${label} v${i}`);
      for (const name of names) results.push({ name, handled: false });
      const r = await runCli(['-c', CONFIG, 'deploy', 'local', ...extra], { cwd: dir, env: env() });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      values.forEach((v, i) => {
        const expected = label === '--var' ? [...v].reverse().join('') : v;
        expect(readFileSync(join(root, 'current/captured', `v${i}`), 'utf8'), `${label} v${i}`).toBe(expected);
        results.find((x) => x.name === names[i])!.handled = true;
      });
      expect(existsSync(pwned), 'a value ran as shell code').toBe(false);
    }
  }, 60_000);
});
