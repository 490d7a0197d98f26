import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The app's package.json and package-lock.json for installing the packed tarball offline. npm
 * resolves a dependency without a lockfile from its full registry document, which `npm ci` never
 * caches (it fetches the abbreviated one), so `npm install TGZ --offline` found nothing on a
 * machine whose cache only `npm ci` had filled. With a lockfile, the app installs from exactly
 * what `npm ci` of this project cached. The tarball's entry takes its dependencies from the
 * packed package.json; the rest are the production entries of this project's lockfile.
 */
function appManifests(tgz: string, packed: { version: string; dependencies: Record<string, string>; bin: Record<string, string> }) {
  const spec = `file:${tgz}`;
  const ours = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const app = { name: 'my-app', version: '1.0.0', private: true, dependencies: { shipyaml: spec } };
  const packages: Record<string, unknown> = {
    '': { name: app.name, version: app.version, dependencies: app.dependencies },
    'node_modules/shipyaml': {
      version: packed.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`,
      dependencies: packed.dependencies,
      bin: packed.bin,
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) if (path.startsWith('node_modules/') && !entry.dev && !entry.devOptional) packages[path] = entry;
  return { packageJson: app, lock: { name: app.name, version: app.version, lockfileVersion: 3, requires: true, packages } };
}

/**
 * What a user gets from the registry: `npm pack`, installed into a fresh app directory (from
 * npm's cache, offline: the tests talk to no registry), then `npx shipyaml` there.
 */
describe('the packed package', () => {
  it('installs into a fresh app and runs --version and deploy local', () => {
    const out = mkdtempSync(join(tmpdir(), 'shipyaml-pack-'));
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 }).trim().split('\n').pop()!;
    const files = execFileSync('tar', ['-tzf', join(out, tgz)], { encoding: 'utf8' });
    expect(files).toContain('package/dist/cli/bin.cjs');
    // The bundled CLI's own files (scripts/bundle.mjs) and what it reads at run time.
    expect(files).toContain('package/dist/cli/main.cjs');
    expect(files).toContain('package/dist/cli/start.cjs');
    expect(files).toContain('package/dist/transfer/scan-worker.js');
    expect(files).toContain('package/dist/recipes/laravel.yml');
    expect(files).toContain('package/schema/deploy.schema.json');
    // Every path package.json exports or names as its bin is in the package.
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', join(out, tgz), 'package/package.json'], { encoding: 'utf8' })) as {
      version: string;
      dependencies: Record<string, string>;
      bin: Record<string, string>;
      exports: Record<string, string>;
    };
    for (const target of [...Object.values(pkg.exports), ...Object.values(pkg.bin)]) expect(files, target).toContain(`package/${target.replace(/^\.\//, '')}`);
    expect(files).not.toContain('package/test/');
    expect(files).not.toContain('package/src/run/');

    const app = join(out, 'app');
    mkdirSync(join(app, 'public'), { recursive: true });
    const manifests = appManifests(join(out, tgz), pkg);
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifests.packageJson));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(manifests.lock));
    writeFileSync(join(app, 'public/index.html'), 'hello from a packed shipyaml\n');
    writeFileSync(
      join(app, 'deploy.yml'),
      'app: my-app\nsource: { build: ./public }\nstages:\n  local:\n    hosts: [{ local: true }]\n    deploy_to: ./.shipyaml/local/my-app\n',
    );
    execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, timeout: 180_000, stdio: 'pipe' });
    const env = { ...process.env, CI: 'true', npm_config_offline: 'true' };
    const version = execFileSync('npx', ['--no-install', 'shipyaml', '--version'], { cwd: app, encoding: 'utf8', env }).trim();
    expect(version).toBe(JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json").version)'], { cwd: ROOT, encoding: 'utf8' })));
    execFileSync('npx', ['--no-install', 'shipyaml', 'deploy', 'local'], { cwd: app, encoding: 'utf8', env, timeout: 60_000 });
    const target = join(app, '.shipyaml/local/my-app');
    expect(readdirSync(join(target, 'releases'))).toHaveLength(1);
    expect(existsSync(join(target, 'current/index.html'))).toBe(true);
    expect(readlinkSync(join(target, 'current'))).toMatch(/^releases\/\d{8}-\d{6}$/);
  }, 300_000);
});
