import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway app directory with a build and a deploy.yml whose `local` stage deploys into it. */
export function makeApp(deployYml: string, files: Record<string, string> = { 'index.html': 'v1\n' }): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shipyaml-app-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, 'build', rel, '..'), { recursive: true });
    writeFileSync(join(dir, 'build', rel), content);
  }
  mkdirSync(join(dir, 'build'), { recursive: true });
  writeFileSync(join(dir, 'deploy.yml'), deployYml);
  return { dir, root: join(dir, 'srv') };
}

export const localStage = (extra = '') => `app: demo
keep_releases: 5
source: { build: ./build }
${extra}
stages:
  local:
    hosts: [{ local: true }]
    deploy_to: ./srv
`;
