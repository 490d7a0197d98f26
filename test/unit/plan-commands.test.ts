import { describe, expect, it } from 'vitest';
import type { StageConfig } from '../../src/config/stage-config.js';
import { buildDeployPlan } from '../../src/plan/build-plan.js';
import { renderCmd } from '../../src/shell/cmd.js';

const host = (name: string, roles: string[] = []) => ({ name, local: false, hostname: name, roles, deployTo: '/srv/www/app', vars: {} });

const stage: StageConfig = {
  file: '/app/deploy.yml',
  dir: '/app',
  app: 'app',
  stage: 'production',
  keepReleases: 5,
  source: { kind: 'upload', build: '/app/build', exclude: [] },
  shared: { files: ['.env'], dirs: ['storage'] },
  vars: { php: { value: "php8.3-fpm; echo 'x'", secret: false } },
  tasks: {
    migrate: { name: 'migrate', run: './artisan migrate --force', once: true, roles: ['db'] },
    reload: { name: 'reload', run: 'systemctl reload {{php}}', once: false, roles: [] },
  },
  hooks: { before_switch: ['migrate'], after_switch: ['reload'], after_rollback: ['reload'] },
  parallel: 10,
  ssh: { connectTimeoutMs: 10000, keepaliveMs: 15000, forwardAgent: false },
  hosts: [host('web1'), host('web2', ['db'])],
};

const states = new Map([
  ['web1', { current: '20260101-000000', currentNotLink: false, releases: ['20260101-000000'], log: [] }],
  ['web2', { current: '20260101-000000', currentNotLink: false, releases: ['20260101-000000'], log: [] }],
]);

describe('the deploy plan', () => {
  const plan = buildDeployPlan({ stage, releaseId: '20260415-093301', states });
  const [web1, web2] = plan.hosts;

  it('renders the switch as one rename, verified by the shell (no readlink process)', () => {
    expect(renderCmd(web1!.switch.cmd)).toBe(
      [
        'set -e',
        "if [ -d /srv/www/app/current ] && [ ! -L /srv/www/app/current ]; then echo '/srv/www/app/current is a directory, not a symlink: move it away, then deploy again' >&2; exit 1; fi",
        "[ -d /srv/www/app/releases/20260415-093301 ] || { echo 'release 20260415-093301 does not exist' >&2; exit 1; }",
        'ln -sfn releases/20260415-093301 /srv/www/app/current.new',
        'if ! mv -T /srv/www/app/current.new /srv/www/app/current 2>/dev/null; then',
        '  rm -f /srv/www/app/current.new',
        '  mkdir -p /srv/www/app/.shipyaml/switch',
        '  ln -sfn releases/20260415-093301 /srv/www/app/.shipyaml/switch/current',
        '  mv -f /srv/www/app/.shipyaml/switch/current /srv/www/app/',
        'fi',
        "[ -L /srv/www/app/current ] && [ /srv/www/app/current -ef /srv/www/app/releases/20260415-093301 ] || { echo 'current does not point to the new release after the switch' >&2; exit 1; }",
      ].join('\n'),
    );
  });

  it('links shared paths after removing what the build left there, every check before any change', () => {
    const link = web1!.prepare.find((s) => s.name === 'link_shared')!;
    expect(renderCmd(link.cmd)).toBe(
      [
        'set -e',
        "[ -f /srv/www/app/shared/.env ] || { echo 'shared file /srv/www/app/shared/.env does not exist: run `shipyaml setup` or create it' >&2; exit 1; }",
        "[ -d /srv/www/app/shared/storage ] || { echo 'shared dir /srv/www/app/shared/storage does not exist: run `shipyaml setup` or create it' >&2; exit 1; }",
        // One rm for all, only if the build left any of them; no mkdir for paths at the top of the release.
        'if [ -e /srv/www/app/releases/20260415-093301/.env ] || [ -L /srv/www/app/releases/20260415-093301/.env ] || [ -e /srv/www/app/releases/20260415-093301/storage ] || [ -L /srv/www/app/releases/20260415-093301/storage ]; then rm -rf /srv/www/app/releases/20260415-093301/.env /srv/www/app/releases/20260415-093301/storage; fi',
        // One ln per directory: each link is named for its target.
        'ln -s /srv/www/app/shared/.env /srv/www/app/shared/storage /srv/www/app/releases/20260415-093301/',
      ].join('\n'),
    );
  });

  it('links nested shared paths with one mkdir and one ln per directory', () => {
    const nested = { ...stage, shared: { files: ['.env', 'config/app.yml'], dirs: ['storage', 'public/uploads', 'public/media'] } };
    const host = buildDeployPlan({ stage: nested, releaseId: '20260415-093301', states }).hosts[0]!;
    const lines = renderCmd(host.prepare.find((s) => s.name === 'link_shared')!.cmd).split('\n');
    const R = '/srv/www/app/releases/20260415-093301';
    const S = '/srv/www/app/shared';
    expect(lines.filter((l) => l.includes('mkdir') || l.startsWith('ln'))).toEqual([
      `[ -d ${R}/config ] && [ -d ${R}/public ] || mkdir -p ${R}/config ${R}/public`,
      `ln -s ${S}/.env ${S}/storage ${R}/`,
      `ln -s ${S}/config/app.yml ${R}/config/`,
      `ln -s ${S}/public/uploads ${S}/public/media ${R}/public/`,
    ]);
  });

  it('runs a once task on the first host of its role only', () => {
    expect(web1!.prepare.map((s) => s.name)).toEqual(['create_release', 'upload', 'link_shared']);
    expect(web2!.prepare.map((s) => s.name)).toEqual(['create_release', 'upload', 'link_shared', 'migrate']);
  });

  it('renders hooks in the release dir with vars quoted', () => {
    const reload = web1!.afterSwitch[0]!;
    const text = renderCmd(reload.cmd);
    expect(text.startsWith('cd /srv/www/app/releases/20260415-093301 || exit 1\n')).toBe(true);
    expect(text).toContain('SHIPYAML_RELEASE_ID=20260415-093301; export SHIPYAML_RELEASE_ID');
    expect(text.endsWith(`set -e\nsystemctl reload 'php8.3-fpm; echo '\\''x'\\'''`)).toBe(true);
  });

  it('plans the way back: remove the new release, switch to the previous one, after_rollback there', () => {
    expect(renderCmd(web1!.discard.cmd)).toBe('set -e\nrm -rf /srv/www/app/releases/20260415-093301');
    expect(renderCmd(web1!.switchBack!.cmd)).toContain('ln -sfn releases/20260101-000000 /srv/www/app/current.new');
    expect(web1!.afterRollback.map((s) => s.name)).toEqual(['reload']);
    expect(renderCmd(web1!.afterRollback[0]!.cmd).startsWith('cd /srv/www/app/releases/20260101-000000 || exit 1')).toBe(true);
  });

  it('on a first deploy, undoing the switch removes current again', () => {
    const first = buildDeployPlan({ stage, releaseId: '20260415-093301', states: new Map() });
    expect(renderCmd(first.hosts[0]!.switchBack!.cmd)).toBe(
      'set -e\nif [ "$(readlink /srv/www/app/current)" = releases/20260415-093301 ]; then rm -f /srv/www/app/current; fi',
    );
    expect(first.hosts[0]!.afterRollback).toEqual([]);
  });
});
