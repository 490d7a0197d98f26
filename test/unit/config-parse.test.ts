// What a deploy config never is: huge, binary, an alias bomb. Each is refused with a position,
// before the parser or the validator spends time on it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES } from '../../src/config/parse.js';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { errorFor, project } from '../fixtures/config/project.js';

const VALID = 'app: demo\ndeploy_to: /srv/demo\nstages:\n  production:\n    hosts: [web1]\n';

describe('refused input', () => {
  it('refuses an alias bomb', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, next] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']]) {
      bomb.push(`${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
    }
    const e = await errorFor(`${bomb.join('\n')}\n`);
    expect(e.code).toBe('E_YAML');
    expect(e.details).toEqual([`deploy.yml:1:1 expands aliases (*name) more than ${MAX_ALIAS_COUNT} times: refused as a possible alias bomb`]);
  });

  it('accepts ordinary anchors, aliases and merge keys', async () => {
    const yaml = `app: demo\ndeploy_to: /srv/demo\nx_base: &base { hosts: [web1], user: deploy }\n`;
    // The only problem is the unknown x_base key: the merged-in hosts satisfy the stage, so
    // the alias was expanded, and positions still work around it.
    const e = await errorFor(`${yaml}stages:\n  production:\n    <<: *base\n    parallel: 2\n`);
    expect(e.details).toEqual(['deploy.yml:3:1 x_base is not a known key (known here: app, extends, deploy_to, keep_releases, source, shared, vars, tasks, hooks, healthcheck, parallel, rolling, ssh, stages)']);
  });

  it('refuses a file over 1 MB, found by search', async () => {
    const dir = await project({ 'deploy.yml': `${VALID}# ${'x'.repeat(MAX_CONFIG_BYTES)}\n` });
    const err = await loadConfig({ cwd: dir, stopDir: dir }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ShipyamlError);
    expect((err as ShipyamlError).code).toBe('E_CONFIG');
    expect((err as ShipyamlError).details).toEqual(['deploy.yml:1:1 is larger than 1024 KB: not a deploy config']);
  });

  it('refuses a file over 1 MB named with -c before reading it', async () => {
    const dir = await project({});
    await writeFile(path.join(dir, 'big.yml'), 'x'.repeat(MAX_CONFIG_BYTES + 1));
    const err = (await loadConfig({ cwd: dir, configFile: 'big.yml' }).catch((x: unknown) => x)) as ShipyamlError;
    expect(err.code).toBe('E_CONFIG');
    expect(err.message).toBe('big.yml is larger than 1024 KB: not a deploy config');
  });

  it('refuses binary content, pointing at the NUL byte', async () => {
    const e = await errorFor('app: demo\nstages:\0\n');
    expect(e.code).toBe('E_CONFIG');
    expect(e.details).toEqual(['deploy.yml:2:8 contains a NUL byte: this is a binary file, not a deploy config']);
  });

  it('refuses text that is not UTF-8', async () => {
    const dir = await project({});
    await writeFile(path.join(dir, 'deploy.yml'), Buffer.from([0x61, 0x70, 0x70, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    const err = (await loadConfig({ cwd: dir, stopDir: dir }).catch((x: unknown) => x)) as ShipyamlError;
    expect(err.details).toEqual(['deploy.yml:1:6 is not valid UTF-8 text']);
  });

  it('refuses a mapping used as a key instead of stringifying it', async () => {
    const e = await errorFor('app: demo\n? [a, b]\n: 1\n');
    expect(e.code).toBe('E_YAML');
    expect(e.details).toEqual(['deploy.yml:2:3 uses a list or mapping as a key: keys must be plain names']);
  });

  it('treats YAML 1.1 words as strings, not booleans (yes/no/on/off)', async () => {
    const e = await errorFor(`${VALID}ssh: { forward_agent: yes }\n`);
    expect(e.details).toEqual(['deploy.yml:6:23 ssh.forward_agent must be true or false (found "yes")']);
  });
});
