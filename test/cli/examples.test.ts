import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Schema, types and examples cannot drift: every example the project ships validates and deploys. */
describe('the shipped examples', () => {
  it('deploy.example.yml (every key) validates', async () => {
    const r = await runCli(['-c', join(ROOT, 'deploy.example.yml'), 'validate'], { cwd: ROOT });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/is valid \(3 stages: production, staging, local\)/);
  });

  it('every examples/*/deploy.yml that needs no install validates', async () => {
    const apps = readdirSync(join(ROOT, 'examples')).filter((d) => existsSync(join(ROOT, 'examples', d, 'deploy.yml')));
    expect(apps).toEqual(expect.arrayContaining(['laravel-app', 'static-site']));
    for (const app of apps.filter((a) => a !== 'recipe-app')) {
      const r = await runCli(['validate'], { cwd: join(ROOT, 'examples', app) });
      expect(r.code, `${app}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it.each(['static-site', 'laravel-app'])('%s deploys on the local target (setup, deploy, deploy, rollback)', async (name) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'shipyaml-example-')), name);
    cpSync(join(ROOT, 'examples', name), dir, { recursive: true, filter: (src) => !src.includes('/.shipyaml') });
    for (const args of [['setup', 'local'], ['deploy', 'local'], ['deploy', 'local'], ['rollback', 'local']]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const target = join(dir, '.shipyaml/local', name);
    expect(readdirSync(join(target, 'releases'))).toHaveLength(2);
    expect(readlinkSync(join(target, 'current'))).toBe(`releases/${readdirSync(join(target, 'releases')).sort()[0]}`);
    if (name === 'laravel-app') {
      expect(readlinkSync(join(target, 'current/.env'))).toBe(join(target, 'shared/.env'));
      expect(readlinkSync(join(target, 'current/storage'))).toBe(join(target, 'shared/storage'));
      // The fake artisan recorded one migration per deploy, run once, in the new release.
      const log = readFileSync(join(target, 'shared/storage/logs/migrations.log'), 'utf8').trim().split('\n');
      expect(log).toHaveLength(2);
      expect(log[0]).toMatch(/migrate migrate --force in .*\/releases\/\d{8}-\d{6}(-\d+)?/);
    } else {
      expect(readFileSync(join(target, 'current/index.html'), 'utf8')).toContain('Deployed by shipyaml');
    }
  }, 60_000);
});
