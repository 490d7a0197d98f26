import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet } from '../harness/sshd.js';

export const DEPLOY_TO = '/srv/app';

/** An app whose `production` stage is the harness fleet (by ssh alias), deploy_to /srv/app. */
export function makeFleetApp(fleet: Fleet, opts: { hosts?: string; extra?: string; files?: Record<string, string> } = {}): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shipyaml-fleet-app-'));
  for (const [rel, content] of Object.entries(opts.files ?? { 'index.html': 'v1\n' })) {
    mkdirSync(join(dir, 'build', rel, '..'), { recursive: true });
    writeFileSync(join(dir, 'build', rel), content);
  }
  const hosts =
    opts.hosts ??
    `      - { host: web1, roles: [web, db] }
      - { host: web2, roles: [web] }
      - { host: web3, roles: [worker] }`;
  writeFileSync(
    join(dir, 'deploy.yml'),
    `app: fleet-demo
keep_releases: 3
source: { build: ./build }
ssh: { config_file: ${JSON.stringify(fleet.sshConfig)} }
${opts.extra ?? ''}
stages:
  production:
    deploy_to: ${DEPLOY_TO}
    hosts:
${hosts}
`,
  );
  return { dir };
}
