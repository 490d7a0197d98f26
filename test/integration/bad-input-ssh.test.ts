// A subset of the bad input corpus against a real sshd host: each refused with exit 2, its
// message and location, before any connection is made (the host's sshd logs none), and the
// host's /srv unchanged; hostile var values cross ssh and sh -c and arrive byte for byte.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, type Fleet } from '../harness/sshd.js';
import { CONFIG, captureVarsYaml, commonCases, expectRefused, hostileValues, type BadCase } from '../support/bad-input.js';
import { runCli } from '../support/cli.js';
import { makeFleetApp } from '../support/fleet-app.js';
import { snapshotTree } from '../support/tree.js';

let fleet: Fleet;
let dir: string;
const results: { name: string; handled: boolean }[] = [];

const cfg = ({ top = '', stage = '', deployTo, hosts }: { top?: string; stage?: string; deployTo?: string; hosts?: string } = {}) => `app: demo
source: { build: ./build }
ssh: { config_file: ${JSON.stringify(fleet.sshConfig)} }
${top}
stages:
  production:
    hosts:
${hosts ?? '      - web1'}
    deploy_to: ${deployTo ?? '/srv/app'}
${stage}
`;

const SUBSET = new Set([
  'malformed YAML (unclosed flow sequence)',
  'duplicate key',
  'alias bomb (billion laughs)',
  'a binary file',
  'keep_releases a string',
  'unknown top-level key (typo)',
  'unknown template name',
  'shared file ../../etc/passwd',
  'shared dir with shell metacharacters',
  'exclude pattern climbing out',
  'deploy_to /',
  'deploy_to empty',
  'deploy_to with ;',
  'deploy_to with $(…)',
  'host name with ;',
  'host name that is an ssh option',
  'user name with ;',
  'user name with $(…)',
  'port not a number',
  'unknown stage',
  '--var without =',
  '--wait-lock abc',
  'rollback --to ../../etc',
]);

const cases = (): BadCase[] => [
  ...commonCases({ cfg, stage: 'production', base: '/srv/app' }).filter((c) => SUBSET.has(c.name)),
  // `plan`: a relative or ~ path wrongly accepted would resolve in the login's home on the host.
  { name: 'remote deploy_to relative', file: cfg({ deployTo: 'srv/app' }), args: ['plan', 'production'], message: 'must be an absolute path on a remote host', at: 'srv/app' },
  { name: 'remote deploy_to ~/app', file: cfg({ deployTo: '"~/app"' }), args: ['plan', 'production'], message: '"~" is not expanded on the server', at: '"~/app"' },
  { name: 'remote deploy_to ~', file: cfg({ deployTo: '"~"' }), args: ['plan', 'production'], message: '"~" is not expanded on the server', at: '"~"' },
];

beforeAll(async () => {
  fleet = await startHosts(1);
  ({ dir } = makeFleetApp(fleet, { hosts: '      - web1' }));
  writeFileSync(join(dir, 'deploy.yml'), cfg());
  for (const args of [['setup', 'production'], ['deploy', 'production']]) {
    const r = await runCli(args, { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
}, 60_000);
afterAll(async () => {
  const handled = results.filter((r) => r.handled).length;
  console.log(`bad input (ssh): ${results.length} cases tried, ${handled} handled${handled < results.length ? `; not handled: ${results.filter((r) => !r.handled).map((r) => r.name).join('; ')}` : ''}`);
  await fleet?.stop();
}, 30_000);

describe('hostile and broken input against an sshd host', () => {
  it('every refused case: exit 2, message and location, no connection, /srv unchanged', async () => {
    const web1 = fleet.hosts[0]!;
    const list = cases();
    expect(list.length).toBeGreaterThanOrEqual(25);
    const failures: string[] = [];
    for (const c of list) {
      results.push({ name: c.name, handled: false });
      writeFileSync(join(dir, CONFIG), c.file);
      const before = snapshotTree(web1.root);
      const connections = fleet.acceptedConnections(web1);
      const r = await runCli(c.noConfigFlag ? c.args! : ['-c', CONFIG, ...(c.args ?? ['deploy', 'production'])], { cwd: dir });
      try {
        expectRefused(c, r);
        expect(fleet.acceptedConnections(web1) - connections, `${c.name}: connections made`).toBe(0);
        expect(snapshotTree(web1.root), `${c.name}: /srv changed`).toEqual(before);
        results[results.length - 1]!.handled = true;
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('vars with shell metacharacters, quotes and newlines cross ssh and arrive literally', async () => {
    const pwned = '/srv/PWNED';
    const values = hostileValues(pwned);
    writeFileSync(join(dir, CONFIG), cfg({ top: captureVarsYaml(values) }));
    for (const [i] of values.entries()) results.push({ name: `ssh v${i}`, handled: false });
    const r = await runCli(['-c', CONFIG, 'deploy', 'production'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const web1 = fleet.hosts[0]!;
    values.forEach((v, i) => {
      expect(readFileSync(join(web1.root, 'app/current/captured', `v${i}`), 'utf8'), `v${i}`).toBe(v);
      results.find((x) => x.name === `ssh v${i}`)!.handled = true;
    });
    expect(existsSync(join(web1.root, 'PWNED')), 'a value ran as shell code').toBe(false);
  }, 60_000);
});
