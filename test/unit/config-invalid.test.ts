// Invalid configs, one per line of the table: each must be reported with the exact message and
// the exact line:col where the user has to look. Lines are counted in the YAML as written here.
import { describe, expect, it } from 'vitest';
import { problemLines, errorFor } from '../fixtures/config/project.js';

const HEAD = 'app: demo\ndeploy_to: /srv/demo\n';
const STAGE = 'stages:\n  production:\n    hosts: [web1]\n';
const HOSTNAME_MSG =
  'must be a host name, IP address or ssh alias (letters, digits, ".", "_", "-"; not starting with "-"); write user and port as { host: …, user: …, port: … }';

// [what, deploy.yml, expected problem line]
const CASES: [string, string, string][] = [
  ['misspelt top-level key', `${HEAD}keep_release: 3\n${STAGE}`, 'deploy.yml:3:1 keep_release is not a known key; did you mean "keep_releases"?'],
  ['unknown key, no close match', `${HEAD}colour: blue\n${STAGE}`, 'deploy.yml:3:1 colour is not a known key (known here: app, extends, deploy_to, keep_releases, source, shared, vars, tasks, hooks, healthcheck, parallel, rolling, ssh, stages)'],
  ['port not an integer', `${HEAD}stages:\n  production:\n    hosts:\n      - { host: web2, port: 22x }\n`, 'deploy.yml:6:29 stages.production.hosts[0].port must be an integer (found "22x")'],
  ['port out of range', `${HEAD}stages:\n  production:\n    hosts:\n      - { host: web2, port: 70000 }\n`, 'deploy.yml:6:29 stages.production.hosts[0].port must be at most 65535 (found 70000)'],
  ['app missing', `deploy_to: /srv/demo\n${STAGE}`, 'deploy.yml:1:1 app is required'],
  ['stages missing', `${HEAD}`, 'deploy.yml:1:1 stages is required'],
  ['hosts missing in a stage', `${HEAD}stages:\n  production:\n    user: deploy\n`, 'deploy.yml:5:5 stages.production.hosts is required'],
  ['hosts empty', `${HEAD}stages:\n  production:\n    hosts: []\n`, 'deploy.yml:5:12 stages.production.hosts must not be empty'],
  ['keep_releases 0', `${HEAD}keep_releases: 0\n${STAGE}`, 'deploy.yml:3:16 keep_releases must be at least 1 (found 0)'],
  ['parallel not a number', `${HEAD}parallel: ten\n${STAGE}`, 'deploy.yml:3:11 parallel must be an integer (found "ten")'],
  ['app inside a stage', `${HEAD}stages:\n  production:\n    hosts: [web1]\n    app: other\n`, 'deploy.yml:6:5 stages.production.app can only be set at the top level, not in a stage'],
  ['user@host:port as a host name', `${HEAD}stages:\n  production:\n    hosts: [deploy@web1:22]\n`, `deploy.yml:5:13 stages.production.hosts[0] ${HOSTNAME_MSG} (found "deploy@web1:22")`],
  ['host name read as an ssh option', `${HEAD}stages:\n  production:\n    hosts: ["-oProxyCommand=touch x"]\n`, `deploy.yml:5:13 stages.production.hosts[0] ${HOSTNAME_MSG} (found "-oProxyCommand=touch x")`],
  ['newline in a host name', `${HEAD}stages:\n  production:\n    hosts: ["web1\\nweb2"]\n`, `deploy.yml:5:13 stages.production.hosts[0] ${HOSTNAME_MSG} (found "web1\\nweb2")`],
  ['user starting with -', `${HEAD}stages:\n  production:\n    hosts: [{ host: web1, user: "-x" }]\n`, 'deploy.yml:5:33 stages.production.hosts[0].user must be a login name (letters, digits, ".", "_", "-"; not starting with "-" or a digit) (found "-x")'],
  ['port on a local host', `${HEAD}stages:\n  local:\n    hosts: [{ local: true, port: 22 }]\n`, 'deploy.yml:5:28 stages.local.hosts[0].port is not allowed on a local host (local: true)'],
  ['host mapping without host', `${HEAD}stages:\n  production:\n    hosts: [{ port: 22 }]\n`, 'deploy.yml:5:13 stages.production.hosts[0].host is required'],
  ['misspelt host key', `${HEAD}stages:\n  production:\n    hosts: [{ host: web1, hostname: x }]\n`, 'deploy.yml:5:27 stages.production.hosts[0].hostname is not a known key; did you mean "host"?'],
  ['roles not a list', `${HEAD}stages:\n  production:\n    hosts: [{ host: web1, roles: web }]\n`, 'deploy.yml:5:34 stages.production.hosts[0].roles must be a list (found "web")'],
  ['duration without unit', `${HEAD}healthcheck: { run: "true", interval: 2 }\n${STAGE}`, 'deploy.yml:3:39 healthcheck.interval must be a duration such as "500ms", "2s", "1.5m" or "1h" (found 2)'],
  ['healthcheck with run and url', `${HEAD}healthcheck: { run: "true", url: "http://x/" }\n${STAGE}`, 'deploy.yml:3:14 healthcheck sets both run and url: a healthcheck is a command or a URL'],
  ['healthcheck: true', `${HEAD}healthcheck: true\n${STAGE}`, 'deploy.yml:3:14 healthcheck must be a mapping (run or url, retries, interval, timeout), or false to turn the healthcheck off (found true)'],
  ['healthcheck without run or url', `${HEAD}healthcheck: { retries: 3 }\n${STAGE}`, 'deploy.yml:3:14 healthcheck needs run (a command) or url'],
  ['healthcheck url not http', `${HEAD}healthcheck: { url: "ftp://x/" }\n${STAGE}`, 'deploy.yml:3:21 healthcheck.url must be an http:// or https:// URL (found "ftp://x/")'],
  ['var name starting with a digit', `${HEAD}vars:\n  1bad: x\n${STAGE}`, 'deploy.yml:4:3 vars.1bad is not a valid name: use letters, digits and _, not starting with a digit'],
  ['var name with a dash', `${HEAD}vars:\n  my-var: x\n${STAGE}`, 'deploy.yml:4:3 vars.my-var is not a valid name: use letters, digits and _, not starting with a digit'],
  ['var named like a built-in', `${HEAD}vars: { release_path: x }\n${STAGE}`, 'deploy.yml:3:9 vars.release_path is a reserved template name (built-in, helper or keyword); choose another name for this var'],
  ['host var named this', `${HEAD}stages:\n  production:\n    hosts: [{ host: web1, vars: { this: x } }]\n`, 'deploy.yml:5:35 stages.production.hosts[0].vars.this is a reserved template name (built-in, helper or keyword); choose another name for this var'],
  ['stage without settings', `${HEAD}stages:\n  production:\n`, 'deploy.yml:4:3 stages.production must be a mapping with at least hosts (found nothing)'],
  ['var with a null value', `${HEAD}vars:\n  php:\n${STAGE}`, 'deploy.yml:4:3 vars.php must be a string, number, true/false, or a mapping such as { env: NAME } (found nothing)'],
  ['misspelt var option', `${HEAD}vars:\n  token: { env: TOKEN, secrett: true }\n${STAGE}`, 'deploy.yml:4:24 vars.token.secrett is not a known key; did you mean "secret"?'],
  ['task without run', `${HEAD}tasks:\n  migrate: { once: true }\n${STAGE}`, 'deploy.yml:4:12 tasks.migrate.run is required'],
  ['task with command instead of run', `${HEAD}tasks:\n  migrate: { command: ls }\n${STAGE}`, 'deploy.yml:4:14 tasks.migrate.command is not a known key; did you mean "run"?'],
  ['hook naming a misspelt task', `${HEAD}tasks:\n  migrate: ./artisan migrate\nhooks:\n  before_switch: [migrat]\n${STAGE}`, 'deploy.yml:6:19 hooks.before_switch[0] names a task that does not exist; did you mean "migrate"? (found "migrat")'],
  ['hook without any tasks', `${HEAD}hooks: { after_switch: [reload] }\n${STAGE}`, 'deploy.yml:3:25 hooks.after_switch[0] names a task that does not exist (no tasks are defined) (found "reload")'],
  ['deploy_to relative on a remote host', `app: demo\ndeploy_to: srv/demo\n${STAGE}`, 'deploy.yml:2:12 deploy_to must be an absolute path on a remote host (relative paths are for local: true hosts) (found "srv/demo")'],
  ['deploy_to /', `app: demo\ndeploy_to: /\n${STAGE}`, 'deploy.yml:2:12 deploy_to must not be / (releases and old-release cleanup would work on the whole file system) (found "/")'],
  ['deploy_to // still the root', `app: demo\ndeploy_to: //.\n${STAGE}`, 'deploy.yml:2:12 deploy_to must not be / (releases and old-release cleanup would work on the whole file system) (found "//.")'],
  ['deploy_to with ~', `app: demo\ndeploy_to: ~/apps/demo\n${STAGE}`, 'deploy.yml:2:12 deploy_to must be an absolute path: "~" is not expanded on the server; write it out, e.g. /home/deploy/app (found "~/apps/demo")'],
  ['deploy_to with ..', `app: demo\ndeploy_to: /srv/../etc\n${STAGE}`, 'deploy.yml:2:12 deploy_to must not contain ".." segments (found "/srv/../etc")'],
  ['deploy_to empty', `app: demo\ndeploy_to: ""\n${STAGE}`, 'deploy.yml:2:12 deploy_to must not be empty'],
  ['deploy_to nowhere', `app: demo\n${STAGE}`, 'deploy.yml:4:13 stages.production.hosts[0] has no deploy_to: set deploy_to at the top level, in stages.production, or on this host'],
  ['deploy_to on a host, relative', `app: demo\nstages:\n  production:\n    hosts: [{ host: web1, deploy_to: app }]\n`, 'deploy.yml:4:38 stages.production.hosts[0].deploy_to must be an absolute path on a remote host (relative paths are for local: true hosts) (found "app")'],
  ['shared dir absolute', `${HEAD}shared: { dirs: [/var/log] }\n${STAGE}`, 'deploy.yml:3:18 shared.dirs[0] must be relative to the release (it is linked to shared/ under the same path) (found "/var/log")'],
  ['shared file with ..', `${HEAD}shared: { files: [../.env] }\n${STAGE}`, 'deploy.yml:3:19 shared.files[0] must not contain ".." segments (found "../.env")'],
  ['shared path listed as file and dir', `${HEAD}shared: { files: [storage], dirs: [storage/] }\n${STAGE}`, 'deploy.yml:3:36 shared.dirs[0] is listed twice (also shared.files[0]) (found "storage/")'],
  ['shared dirs nested', `${HEAD}shared:\n  dirs:\n    - storage\n    - storage/logs\n${STAGE}`, 'deploy.yml:6:7 shared.dirs[1] is nested with shared.dirs[0]: "storage/logs" is inside "storage"; shared paths must not contain one another'],
  ['shared "." is the release itself', `${HEAD}shared: { dirs: [./] }\n${STAGE}`, 'deploy.yml:3:18 shared.dirs[0] must name a file or directory inside the release, not the release itself (found "./")'],
  ['exclude absolute', `${HEAD}source: { exclude: [/etc] }\n${STAGE}`, 'deploy.yml:3:21 source.exclude[0] must be relative to the build directory (found "/etc")'],
  ['exclude with ..', `${HEAD}source: { exclude: [a/../../b] }\n${STAGE}`, 'deploy.yml:3:21 source.exclude[0] must not contain ".." segments (found "a/../../b")'],
  ['source with build and git', `${HEAD}source:\n  build: ./dist\n  git: { repo: "git@x:y.git" }\n${STAGE}`, 'deploy.yml:4:3 source sets both build and git: a release comes from one of them'],
  ['local host mixed with remote', `${HEAD}stages:\n  production:\n    hosts:\n      - web1\n      - { local: true }\n`, 'deploy.yml:7:9 stages.production.hosts[1] is a local host in a stage with remote hosts: a stage deploys either to this machine or over ssh'],
  ['host listed twice', `${HEAD}stages:\n  production:\n    hosts: [web1, web1]\n`, 'deploy.yml:5:19 stages.production.hosts[1] is listed twice (also stages.production.hosts[0]) (found "web1")'],
  ['stage name with a space', `${HEAD}stages:\n  "prod env":\n    hosts: [web1]\n`, 'deploy.yml:4:3 stages["prod env"] is not a valid stage name: use letters, digits, _ and -, starting with a letter or digit'],
  ['unknown name in a task template', `${HEAD}vars: { php_fpm: php8.3-fpm }\ntasks:\n  reload: "systemctl reload {{php_fmp}}"\n${STAGE}`, 'deploy.yml:5:11 tasks.reload uses unknown name "php_fmp"; did you mean "php_fpm"?'],
  ['unknown name in a block template', `${HEAD}tasks:\n  migrate:\n    run: |\n      cd {{release_path}}\n      ./artisan {{cmd}}\n${STAGE}`, 'deploy.yml:5:10 tasks.migrate.run uses unknown name "cmd" (template line 2)'],
  ['connect timeout 0', `${HEAD}ssh: { connect_timeout: 0s }\n${STAGE}`, 'deploy.yml:3:25 ssh.connect_timeout must be longer than 0 (found "0s")'],
  ['extends a recipe that does not exist', `${HEAD}extends: [larvel]\n${STAGE}`, 'deploy.yml:3:11 extends[0] names recipe "larvel", which is not a built-in recipe or an installed package; did you mean "laravel"?'],
  ['the file is a list', '- app: demo\n', 'deploy.yml:1:1 must be a mapping of settings such as "app: myapp" (found a list)'],
  ['control character in a path', `${HEAD}source: { build: "dist\\tx" }\n${STAGE}`, 'deploy.yml:3:18 source.build must not contain control characters (newline, tab, NUL…) (found "dist\\tx")'],
];

describe('invalid configs: message and position', () => {
  it('has a case for every kind of mistake the issue lists (at least 30)', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('%s', async (_what, yaml, expected) => {
    expect(await problemLines(yaml)).toContain(expected);
  });
});

describe('several problems at once', () => {
  it('reports every problem in one error, in file order, with the count', async () => {
    const yaml = `app: demo\ndeploy_to: /srv/demo\nkeep_releases: 0\nparallel: x\nstages:\n  production:\n    hosts: [{ host: web1, port: 0 }]\n`;
    const e = await errorFor(yaml);
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toBe('deploy.yml has 3 problems');
    expect(e.details).toEqual([
      'deploy.yml:3:16 keep_releases must be at least 1 (found 0)',
      'deploy.yml:4:11 parallel must be an integer (found "x")',
      'deploy.yml:7:33 stages.production.hosts[0].port must be at least 1 (found 0)',
    ]);
    expect(e.location).toEqual({ file: 'deploy.yml', line: 3, col: 16 });
    expect(e.exit).toBe(2);
  });

  it('reports a top-level mistake once although every stage inherits it', async () => {
    const yaml = `app: demo\ndeploy_to: /srv/demo\nhooks: { after_switch: [nope] }\nstages:\n  a: { hosts: [web1] }\n  b: { hosts: [web2] }\n`;
    const e = await errorFor(yaml);
    expect(e.details).toHaveLength(1);
    expect(e.message).toBe('deploy.yml has 1 problem');
  });

  it('reports all rule problems of a stage together', async () => {
    const yaml = `app: demo\ndeploy_to: srv\nshared: { dirs: [/x] }\nstages:\n  production:\n    hosts: [web1]\n`;
    expect(await problemLines(yaml, 'production')).toEqual([
      'deploy.yml:2:12 deploy_to must be an absolute path on a remote host (relative paths are for local: true hosts) (found "srv")',
      'deploy.yml:3:18 shared.dirs[0] must be relative to the release (it is linked to shared/ under the same path) (found "/x")',
    ]);
  });
});

describe('YAML syntax', () => {
  it.each([
    ['duplicate key', 'app: a\napp: b\n', 'deploy.yml:2:1 Map keys must be unique'],
    ['unclosed flow list', 'app: a\nstages: [\n', 'deploy.yml:3:1 Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['two documents', 'app: a\n---\napp: b\n', 'deploy.yml:2:1 holds more than one YAML document (---): keep one'],
    ['tab indentation', 'app: a\nstages:\n\tx: 1\n', 'deploy.yml:3:1 Tabs are not allowed as indentation'],
  ])('%s', async (_what, yaml, expected) => {
    const e = await errorFor(yaml);
    expect(e.code).toBe('E_YAML');
    expect(e.details[0]).toBe(expected);
  });
});

describe('stage and var errors when resolving one stage', () => {
  it('an unknown stage lists the stages that exist and guesses', async () => {
    const e = await errorFor(`${HEAD}stages:\n  production: { hosts: [web1] }\n  staging: { hosts: [web2] }\n`, 'prod');
    expect(e.code).toBe('E_STAGE');
    expect(e.message).toBe('stage "prod" does not exist in deploy.yml; did you mean "production"? (stages: production, staging)');
  });

  it('a required var without a value points at the var', async () => {
    const yaml = `${HEAD}vars:\n  token: { env: DEPLOY_TOKEN, required: true }\n${STAGE}`;
    expect(await problemLines(yaml, 'production')).toEqual([
      'deploy.yml:4:3 vars.token is required but has no value: set environment variable DEPLOY_TOKEN, or give it with --var token=VALUE',
    ]);
  });

  it('validateAll does not require var values: they belong to the environment, not the file', async () => {
    const yaml = `${HEAD}vars:\n  token: { required: true }\nshared: { dirs: [/x] }\n${STAGE}`;
    expect(await problemLines(yaml)).toEqual([
      'deploy.yml:5:18 shared.dirs[0] must be relative to the release (it is linked to shared/ under the same path) (found "/x")',
    ]);
  });

  it('a var defined on one host only is an unknown name for the others', async () => {
    const yaml = `${HEAD}tasks:\n  t: "echo {{port_x}}"\nstages:\n  production:\n    hosts: [{ host: web1, vars: { port_x: 1 } }, web2]\n`;
    expect(await problemLines(yaml, 'production')).toEqual(['deploy.yml:4:6 tasks.t uses unknown name "port_x" on host web2']);
  });

  it('a local deploy_to that contains the build directory is refused', async () => {
    const e = await errorFor(`app: demo\nsource: { build: ./srv/build }\nstages:\n  local:\n    hosts: [{ local: true, deploy_to: ./srv }]\n`);
    expect(e.details).toHaveLength(1);
    expect(e.details[0]).toMatch(/^deploy\.yml:5:39 stages\.local\.hosts\[0\]\.deploy_to contains source\.build \(\/.*\/srv\/build\): keep the build outside the deploy directory \(found "\.\/srv"\)$/);
  });
});
