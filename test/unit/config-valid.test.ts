// Valid configs and the StageConfig they become: defaults, layering of stage and host over the
// top level, vars from env and --var, durations, task positions.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveStage, validateAll, type StageConfig } from '../../src/config/index.js';
import { project } from '../fixtures/config/project.js';

async function stageOf(yaml: string, stage: string, options: Parameters<typeof resolveStage>[2] = {}): Promise<{ s: StageConfig; dir: string }> {
  const dir = await project({ 'deploy.yml': yaml });
  const loaded = await loadConfig({ cwd: dir, stopDir: dir });
  return { s: resolveStage(loaded, stage, { env: {}, ...options }), dir };
}

const DESIGN_EXAMPLE = `# the example of DESIGN §3 (without extends: recipes come later)
app: example
deploy_to: /srv/www/example.com
keep_releases: 5
source:
  build: ./build
  exclude: [.git]
shared:
  files: [.env]
  dirs: [storage, public/uploads]
  group: www-data
vars:
  php_fpm: php8.3-fpm
tasks:
  migrate: { run: ./artisan migrate --force, once: true }
  reload: { run: "sudo systemctl reload nginx {{php_fpm}}" }
hooks:
  before_switch: [migrate]
  after_switch: [reload]
  after_rollback: [reload]
healthcheck: { run: curl -fsS http://127.0.0.1/health, retries: 5, interval: 2s }
stages:
  production:
    user: deploy
    hosts:
      - web1.example.com
      - { host: web2.example.com, port: 2222, roles: [web] }
    parallel: 10
  local:
    hosts: [{ local: true }]
    deploy_to: ./.shipyaml/local/example.com
`;

describe('the DESIGN §3 example', () => {
  it('resolves production completely', async () => {
    const { s, dir } = await stageOf(DESIGN_EXAMPLE, 'production');
    const vars = { php_fpm: { value: 'php8.3-fpm', secret: false } };
    expect(s).toEqual({
      file: path.join(dir, 'deploy.yml'),
      dir,
      app: 'example',
      stage: 'production',
      keepReleases: 5,
      source: { kind: 'upload', build: path.join(dir, 'build'), exclude: ['.git'] },
      shared: { files: ['.env'], dirs: ['storage', 'public/uploads'], group: 'www-data' },
      vars,
      tasks: {
        migrate: { name: 'migrate', run: './artisan migrate --force', once: true, roles: [], location: { file: 'deploy.yml', line: 15, col: 19 } },
        reload: { name: 'reload', run: 'sudo systemctl reload nginx {{php_fpm}}', once: false, roles: [], location: { file: 'deploy.yml', line: 16, col: 18 } },
      },
      hooks: { before_switch: ['migrate'], after_switch: ['reload'], after_rollback: ['reload'] },
      healthcheck: { run: 'curl -fsS http://127.0.0.1/health', url: undefined, retries: 5, intervalMs: 2000, timeoutMs: 10000, location: { file: 'deploy.yml', line: 21, col: 21 } },
      parallel: 10,
      rolling: undefined,
      ssh: { configFile: undefined, identityFile: undefined, connectTimeoutMs: 10000, keepaliveMs: 15000, forwardAgent: false },
      hosts: [
        { name: 'web1.example.com', local: false, hostname: 'web1.example.com', port: undefined, user: 'deploy', roles: [], deployTo: '/srv/www/example.com', vars },
        { name: 'web2.example.com', local: false, hostname: 'web2.example.com', port: 2222, user: 'deploy', roles: ['web'], deployTo: '/srv/www/example.com', vars },
      ],
    });
  });

  it('resolves the local stage with deploy_to under the config directory', async () => {
    const { s, dir } = await stageOf(DESIGN_EXAMPLE, 'local');
    expect(s.hosts).toEqual([
      { name: 'local', local: true, hostname: 'localhost', port: undefined, user: undefined, roles: [], deployTo: path.join(dir, '.shipyaml/local/example.com'), vars: { php_fpm: { value: 'php8.3-fpm', secret: false } } },
    ]);
  });

  it('validateAll resolves every stage', async () => {
    const dir = await project({ 'deploy.yml': DESIGN_EXAMPLE });
    const stages = validateAll(await loadConfig({ cwd: dir, stopDir: dir }));
    expect(stages.map((s) => s.stage)).toEqual(['production', 'local']);
  });
});

describe('defaults', () => {
  it('fills keep_releases 5, parallel 10, build ./build, ssh timeouts, empty hooks and shared', async () => {
    const { s, dir } = await stageOf('app: a\ndeploy_to: /srv/a\nstages:\n  p: { hosts: [web1] }\n', 'p');
    expect(s.keepReleases).toBe(5);
    expect(s.parallel).toBe(10);
    expect(s.rolling).toBeUndefined();
    expect(s.source).toEqual({ kind: 'upload', build: path.join(dir, 'build'), exclude: [] });
    expect(s.shared).toEqual({ files: [], dirs: [], group: undefined });
    expect(s.hooks).toEqual({ before_switch: [], after_switch: [], after_rollback: [] });
    expect(s.tasks).toEqual({});
    expect(s.healthcheck).toBeUndefined();
    expect(s.ssh).toEqual({ configFile: undefined, identityFile: undefined, connectTimeoutMs: 10_000, keepaliveMs: 15_000, forwardAgent: false });
  });

  it('fills healthcheck retries 3, interval 2s, timeout 10s', async () => {
    const { s } = await stageOf('app: a\ndeploy_to: /srv/a\nhealthcheck: { url: "http://127.0.0.1/up" }\nstages:\n  p: { hosts: [web1] }\n', 'p');
    expect(s.healthcheck).toEqual({ run: undefined, url: 'http://127.0.0.1/up', retries: 3, intervalMs: 2000, timeoutMs: 10_000, location: { file: 'deploy.yml', line: 3, col: 21 } });
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1m', 60_000],
    ['1.5m', 90_000],
    ['1h', 3_600_000],
  ])('%s is %i ms', async (text, ms) => {
    const { s } = await stageOf(`app: a\ndeploy_to: /srv/a\nssh: { keepalive: ${text} }\nstages:\n  p: { hosts: [web1] }\n`, 'p');
    expect(s.ssh.keepaliveMs).toBe(ms);
  });
});

describe('stage and host layering', () => {
  const yaml = `app: a
deploy_to: /srv/a
keep_releases: 3
source: { build: ./dist, exclude: [.git] }
shared: { files: [.env], dirs: [storage] }
vars: { region: eu, tier: web }
tasks:
  hello: echo hello
  bye: echo bye
hooks: { before_switch: [hello], after_switch: [bye] }
healthcheck: { run: "true", retries: 2 }
ssh: { connect_timeout: 3s }
stages:
  staging:
    keep_releases: 1
    source: { git: { repo: "https://example.com/a.git", ref: main } }
    shared: { dirs: [uploads] }
    vars: { tier: staging }
    tasks: { bye: echo ciao }
    hooks: { after_switch: [] }
    healthcheck: { url: "http://127.0.0.1/" }
    ssh: { keepalive: 1s }
    user: ops
    hosts:
      - one
      - { host: two, user: root, deploy_to: /opt/a/, vars: { tier: special } }
  quiet:
    healthcheck: false
    hosts: [three]
`;

  it('lets a stage replace scalars, lists and single section keys, and merge vars and tasks by name', async () => {
    const { s } = await stageOf(yaml, 'staging');
    expect(s.keepReleases).toBe(1);
    expect(s.source).toEqual({ kind: 'git', repo: 'https://example.com/a.git', ref: 'main' });
    expect(s.shared).toEqual({ files: ['.env'], dirs: ['uploads'], group: undefined });
    expect(s.vars).toEqual({ region: { value: 'eu', secret: false }, tier: { value: 'staging', secret: false } });
    expect(s.tasks.hello?.run).toBe('echo hello');
    expect(s.tasks.bye?.run).toBe('echo ciao');
    expect(s.hooks).toEqual({ before_switch: ['hello'], after_switch: [], after_rollback: [] });
    // url replaces the inherited run (they are alternatives); retries still comes from the top.
    expect(s.healthcheck?.run).toBeUndefined();
    expect(s.healthcheck?.url).toBe('http://127.0.0.1/');
    expect(s.healthcheck?.retries).toBe(2);
    expect(s.ssh.connectTimeoutMs).toBe(3000);
    expect(s.ssh.keepaliveMs).toBe(1000);
  });

  it('lets a host override user, deploy_to and vars', async () => {
    const { s } = await stageOf(yaml, 'staging');
    const [one, two] = s.hosts;
    expect(one).toMatchObject({ name: 'one', user: 'ops', deployTo: '/srv/a' });
    expect(one?.vars.tier).toEqual({ value: 'staging', secret: false });
    expect(two).toMatchObject({ name: 'two', user: 'root', deployTo: '/opt/a' });
    expect(two?.vars).toEqual({ region: { value: 'eu', secret: false }, tier: { value: 'special', secret: false } });
  });

  it('turns an inherited healthcheck off with healthcheck: false', async () => {
    const { s } = await stageOf(yaml, 'quiet');
    expect(s.healthcheck).toBeUndefined();
  });

  it('records where each task is written, for template errors', async () => {
    const { s } = await stageOf(yaml, 'staging');
    expect(s.tasks.hello?.location).toEqual({ file: 'deploy.yml', line: 8, col: 10 });
    expect(s.tasks.bye?.location).toEqual({ file: 'deploy.yml', line: 19, col: 19 });
  });
});

describe('vars', () => {
  const yaml = `app: a
deploy_to: /srv/a
vars:
  plain: 1
  flag: true
  token: { env: API_TOKEN }
  shown: { env: COLOR, secret: false }
  password: { value: hunter2, secret: true }
  fallback: { env: UNSET_VAR, value: default }
  optional: { env: UNSET_TOO }
stages:
  p: { hosts: [web1] }
`;

  it('reads env vars as secret, keeps declared values, stringifies numbers and booleans', async () => {
    const { s } = await stageOf(yaml, 'p', { env: { API_TOKEN: 's3cret', COLOR: 'blue' } });
    expect(s.vars).toEqual({
      plain: { value: '1', secret: false },
      flag: { value: 'true', secret: false },
      token: { value: 's3cret', secret: true },
      shown: { value: 'blue', secret: false },
      password: { value: 'hunter2', secret: true },
      fallback: { value: 'default', secret: true },
      optional: { value: '', secret: true },
    });
  });

  it('lets --var override any var, keep its secrecy, and add new names for templates', async () => {
    const withTask = yaml.replace('stages:', 'tasks:\n  t: "echo {{extra}} {{token}}"\nstages:');
    const { s } = await stageOf(withTask, 'p', { env: { API_TOKEN: 'env' }, vars: { token: 'cli', plain: '2', extra: 'x' } });
    expect(s.vars.token).toEqual({ value: 'cli', secret: true });
    expect(s.vars.plain).toEqual({ value: '2', secret: false });
    expect(s.vars.extra).toEqual({ value: 'x', secret: false });
    expect(s.hosts[0]?.vars.extra).toEqual({ value: 'x', secret: false });
  });

  it('satisfies a required var from the environment', async () => {
    const { s } = await stageOf('app: a\ndeploy_to: /srv/a\nvars: { key: { env: KEY, required: true } }\nstages:\n  p: { hosts: [web1] }\n', 'p', { env: { KEY: 'k' } });
    expect(s.vars.key).toEqual({ value: 'k', secret: true });
  });
});

describe('hosts', () => {
  it('keeps IPv6 and IPv4 addresses, ports, roles and users as given', async () => {
    const yaml = 'app: a\ndeploy_to: /srv/a\nstages:\n  p:\n    hosts:\n      - "::1"\n      - { host: 10.0.0.2, port: 2200, user: deploy, roles: [web, db] }\n';
    const { s } = await stageOf(yaml, 'p');
    expect(s.hosts.map((h) => [h.name, h.port, h.user, h.roles])).toEqual([
      ['::1', undefined, undefined, []],
      ['10.0.0.2', 2200, 'deploy', ['web', 'db']],
    ]);
  });

  it('allows the same host twice with different deploy_to (two instances of an app)', async () => {
    const yaml = 'app: a\nstages:\n  p:\n    hosts:\n      - { host: web1, deploy_to: /srv/a }\n      - { host: web1, deploy_to: /srv/b }\n';
    const { s } = await stageOf(yaml, 'p');
    expect(s.hosts.map((h) => h.deployTo)).toEqual(['/srv/a', '/srv/b']);
  });

  it('resolves a local deploy_to with ~ against the home directory', async () => {
    const { s } = await stageOf('app: a\nstages:\n  l: { hosts: [{ local: true, deploy_to: ~/deploys/a }] }\n', 'l');
    expect(s.hosts[0]?.deployTo).toBe(path.join((await import('node:os')).homedir(), 'deploys/a'));
  });

  it('normalises shared paths (./x/ is x)', async () => {
    const { s } = await stageOf('app: a\ndeploy_to: /srv/a\nshared: { files: [./.env], dirs: [storage/] }\nstages:\n  p: { hosts: [web1] }\n', 'p');
    expect(s.shared).toMatchObject({ files: ['.env'], dirs: ['storage'] });
  });
});
