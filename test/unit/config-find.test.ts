// Finding the config: every search place, the upward search, -c, and relative paths resolved
// against the config file's directory, never the working directory.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveStage, SEARCH_PLACES } from '../../src/config/index.js';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { project } from '../fixtures/config/project.js';

const YAML = 'app: from-yaml\ndeploy_to: /srv/x\nstages:\n  production:\n    hosts: [web1]\n';
const OBJ = { app: 'from-obj', deploy_to: '/srv/x', stages: { production: { hosts: ['web1'] } } };
const JSON_TEXT = JSON.stringify(OBJ, null, 2);

const PLACES: [string, string, string][] = [
  ['deploy.yml', YAML, 'from-yaml'],
  ['deploy.yaml', YAML, 'from-yaml'],
  ['.shipyamlrc', YAML, 'from-yaml'],
  ['.shipyamlrc.yml', YAML, 'from-yaml'],
  ['.shipyamlrc.yaml', YAML, 'from-yaml'],
  ['.shipyamlrc.json', JSON_TEXT, 'from-obj'],
  ['shipyaml.config.js', `export default ${JSON_TEXT};`, 'from-obj'],
  ['shipyaml.config.mjs', `export default ${JSON_TEXT};`, 'from-obj'],
  ['shipyaml.config.cjs', `module.exports = ${JSON_TEXT};`, 'from-obj'],
  ['package.json', JSON.stringify({ name: 'x', shipyaml: OBJ }), 'from-obj'],
];

async function rejects(p: Promise<unknown>): Promise<ShipyamlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ShipyamlError) return e;
    throw e;
  }
  throw new Error('expected a ShipyamlError');
}

describe('search places', () => {
  it('covers every place the issue names', () => {
    expect(PLACES.map(([f]) => f)).toEqual([...SEARCH_PLACES]);
  });

  it.each(PLACES)('finds %s', async (file, text, app) => {
    const dir = await project({ [file]: text, ...(file.endsWith('.js') ? { 'package.json': '{"type":"module"}' } : {}) });
    const loaded = await loadConfig({ cwd: dir, stopDir: dir });
    expect(loaded.file).toBe(path.join(dir, file));
    expect(loaded.dir).toBe(dir);
    expect(loaded.raw.app).toBe(app);
    expect(loaded.stages).toEqual(['production']);
  });

  it('prefers deploy.yml over package.json in the same directory', async () => {
    const dir = await project({ 'deploy.yml': YAML, 'package.json': JSON.stringify({ shipyaml: OBJ }) });
    expect((await loadConfig({ cwd: dir, stopDir: dir })).raw.app).toBe('from-yaml');
  });

  it('skips a package.json without a shipyaml key and keeps searching upwards', async () => {
    const dir = await project({ 'deploy.yml': YAML, 'app/package.json': '{"name":"app"}' });
    const loaded = await loadConfig({ cwd: path.join(dir, 'app'), stopDir: dir });
    expect(loaded.file).toBe(path.join(dir, 'deploy.yml'));
  });

  it('searches upwards from a subdirectory', async () => {
    const dir = await project({ 'deploy.yml': YAML, 'src/deep/er/.keep': '' });
    const loaded = await loadConfig({ cwd: path.join(dir, 'src/deep/er'), stopDir: dir });
    expect(loaded.file).toBe(path.join(dir, 'deploy.yml'));
    // Not inside the working directory, so messages name it by its absolute path.
    expect(loaded.source.display).toBe(path.join(dir, 'deploy.yml'));
  });

  it('reports no config with E_CONFIG_NOT_FOUND and the names it looked for', async () => {
    const dir = await project({ 'src/.keep': '' });
    const e = await rejects(loadConfig({ cwd: path.join(dir, 'src'), stopDir: dir }));
    expect(e.code).toBe('E_CONFIG_NOT_FOUND');
    expect(e.exit).toBe(2);
    expect(e.details[0]).toContain('deploy.yml, deploy.yaml, .shipyamlrc');
  });

  it('reports an empty deploy.yml instead of searching past it', async () => {
    const dir = await project({ 'deploy.yml': '  \n' });
    const e = await rejects(loadConfig({ cwd: dir, stopDir: dir }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toBe('deploy.yml is empty');
  });

  it('reports a comment-only deploy.yml as empty too', async () => {
    const dir = await project({ 'deploy.yml': '# nothing yet\n' });
    expect((await rejects(loadConfig({ cwd: dir, stopDir: dir }))).message).toBe('deploy.yml is empty');
  });
});

describe('-c FILE', () => {
  it('loads the named file, whatever its name, relative to the working directory', async () => {
    const dir = await project({ 'deploy.yml': YAML, 'conf/prod.yml': YAML.replace('from-yaml', 'named') });
    const loaded = await loadConfig({ cwd: dir, configFile: 'conf/prod.yml' });
    expect(loaded.raw.app).toBe('named');
    expect(loaded.dir).toBe(path.join(dir, 'conf'));
    expect(loaded.source.display).toBe('conf/prod.yml');
  });

  it('treats an unknown extension as YAML', async () => {
    const dir = await project({ 'ship.conf': YAML });
    expect((await loadConfig({ cwd: dir, configFile: 'ship.conf' })).raw.app).toBe('from-yaml');
  });

  it('says when the file does not exist', async () => {
    const dir = await project({});
    const e = await rejects(loadConfig({ cwd: dir, configFile: 'nope.yml' }));
    expect(e.code).toBe('E_CONFIG_NOT_FOUND');
    expect(e.message).toBe('config file nope.yml does not exist');
  });

  it('says when a named package.json has no shipyaml key', async () => {
    const dir = await project({ 'package.json': '{"name":"x"}' });
    const e = await rejects(loadConfig({ cwd: dir, configFile: 'package.json' }));
    expect(e.message).toBe('package.json has no "shipyaml" key');
  });

  it('shows a file outside the working directory by its absolute path', async () => {
    const dir = await project({ 'a/deploy.yml': 'app: x\n', 'b/.keep': '' });
    const e = await rejects(loadConfig({ cwd: path.join(dir, 'b'), configFile: '../a/deploy.yml' }));
    expect(e.details[0]).toBe(`${path.join(dir, 'a/deploy.yml')}:1:1 stages is required`);
  });
});

describe('positions in JSON and package.json configs', () => {
  it('gives line:col in a .json config (JSON is parsed as YAML)', async () => {
    const dir = await project({ '.shipyamlrc.json': '{\n  "app": "x",\n  "deploy_to": "/srv/x",\n  "keep_releases": "5",\n  "stages": { "p": { "hosts": ["web1"] } }\n}\n' });
    const e = await rejects(loadConfig({ cwd: dir, stopDir: dir }));
    expect(e.details).toEqual(['.shipyamlrc.json:4:20 keep_releases must be an integer (found "5")']);
  });

  it('gives line:col inside the shipyaml key of package.json', async () => {
    const dir = await project({ 'package.json': '{\n  "name": "x",\n  "shipyaml": {\n    "app": "x",\n    "stagez": {}\n  }\n}\n' });
    const e = await rejects(loadConfig({ cwd: dir, stopDir: dir }));
    expect(e.details).toEqual([
      'package.json:3:15 stages is required',
      'package.json:5:5 stagez is not a known key; did you mean "stages"?',
    ]);
  });

  it('gives file:1:1 for a JavaScript config, which has no positions', async () => {
    const dir = await project({ 'shipyaml.config.cjs': 'module.exports = { app: "x", stages: { p: { hosts: ["web1"] } }, parallel: 0 };' });
    const e = await rejects(loadConfig({ cwd: dir, stopDir: dir }));
    expect(e.details).toEqual(['shipyaml.config.cjs:1:1 parallel must be at least 1 (found 0)']);
  });

  it('reports a JavaScript config that throws as a config error, not a crash', async () => {
    const dir = await project({ 'shipyaml.config.cjs': 'throw new Error("boom");' });
    const e = await rejects(loadConfig({ cwd: dir, stopDir: dir }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain('could not be loaded: boom');
  });
});

describe('relative paths are relative to the config file, not the working directory', () => {
  const yaml = [
    'app: demo',
    'source: { build: ./dist }',
    'ssh: { identity_file: keys/id_ed25519, config_file: ./ssh_config }',
    'stages:',
    '  local:',
    '    hosts: [{ local: true }]',
    '    deploy_to: ./.shipyaml/local/demo',
    '',
  ].join('\n');

  it('resolves source.build, a local deploy_to and ssh files against the config directory', async () => {
    const dir = await project({ 'deploy.yml': yaml, 'sub/dir/.keep': '' });
    const loaded = await loadConfig({ cwd: path.join(dir, 'sub/dir'), stopDir: dir });
    const stage = resolveStage(loaded, 'local', { env: {} });
    expect(stage.source).toEqual({ kind: 'upload', build: path.join(dir, 'dist'), exclude: [] });
    expect(stage.hosts[0]!.deployTo).toBe(path.join(dir, '.shipyaml/local/demo'));
    expect(stage.ssh.identityFile).toBe(path.join(dir, 'keys/id_ed25519'));
    expect(stage.ssh.configFile).toBe(path.join(dir, 'ssh_config'));
    expect(stage.file).toBe(path.join(dir, 'deploy.yml'));
    expect(stage.dir).toBe(dir);
  });

  it('does the same for a file named with -c from elsewhere', async () => {
    const dir = await project({ 'ops/deploy.yml': yaml, 'app/.keep': '' });
    const loaded = await loadConfig({ cwd: path.join(dir, 'app'), configFile: '../ops/deploy.yml' });
    const stage = resolveStage(loaded, 'local', { env: {} });
    expect(stage.source.kind === 'upload' && stage.source.build).toBe(path.join(dir, 'ops/dist'));
    expect(stage.hosts[0]!.deployTo).toBe(path.join(dir, 'ops/.shipyaml/local/demo'));
  });
});
