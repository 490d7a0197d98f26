// codeCacheFile (src/cli/code-cache.ts): where the compiled code of a bundle run as a command is
// kept. Running with it, against the built bin: test/cli/code-cache.test.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userCacheDir } from '../../src/cache-dir.js';
import { codeCacheFile } from '../../src/cli/code-cache.js';

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ XDG_CACHE_HOME: '/var/cache/someone', ...extra });
const bundle = Buffer.from('module.exports = 1;\n');

describe('codeCacheFile', () => {
  it("is a file per command in shipyaml's user cache directory, the digests' neighbour", () => {
    const deploy = codeCacheFile(bundle, 'deploy', env())!;
    expect(deploy.startsWith(join(userCacheDir(env()), 'v8') + '/')).toBe(true);
    expect(deploy).toMatch(/^\/var\/cache\/someone\/shipyaml\/v8\/deploy-[0-9a-f]{20}\.bin$/);
    expect(codeCacheFile(bundle, 'rollback', env())).toBe(deploy.replace('/deploy-', '/rollback-'));
    expect(codeCacheFile(Buffer.from(bundle), 'deploy', env())).toBe(deploy); // the same bundle, the same file
  });

  it('names anything that is not a plain command word "other"', () => {
    for (const word of [undefined, '', '../../etc', 'Deploy', 'x'.repeat(40), 'a b'])
      expect(codeCacheFile(bundle, word, env()), String(word)).toMatch(/\/v8\/other-[0-9a-f]{20}\.bin$/);
  });

  it('changes with every byte of the bundle, even at the same length (which passes V8 own check)', () => {
    const names = new Set(['module.exports = 1;\n', 'module.exports = 2;\n', 'module.exports = 1;\r'].map((s) => codeCacheFile(Buffer.from(s), 'deploy', env())));
    expect(names.size).toBe(3);
  });

  it('changes with the Node flags, which V8 would otherwise reject the code for at every other run', () => {
    expect(codeCacheFile(bundle, 'deploy', env({ NODE_OPTIONS: '--max-old-space-size=200' }))).not.toBe(codeCacheFile(bundle, 'deploy', env()));
  });

  it('leaves profiling out (V8 takes the same code under --cpu-prof), but not a flag V8 would reject it for', () => {
    const plain = codeCacheFile(bundle, 'deploy', env(), []);
    expect(codeCacheFile(bundle, 'deploy', env(), ['--cpu-prof', '--cpu-prof-dir', '/tmp/p1', '--cpu-prof-interval=200'])).toBe(plain);
    expect(codeCacheFile(bundle, 'deploy', env(), ['--heap-prof', '--heap-prof-name=x.heapprofile'])).toBe(plain);
    expect(codeCacheFile(bundle, 'deploy', env(), ['--max-old-space-size=300'])).not.toBe(plain);
    expect(codeCacheFile(bundle, 'deploy', env(), ['--cpu-prof-dir', '/tmp/p1', '--no-opt'])).toBe(codeCacheFile(bundle, 'deploy', env(), ['--no-opt']));
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE', () => {
    expect(codeCacheFile(bundle, 'deploy', env({ NODE_DISABLE_COMPILE_CACHE: '1' }))).toBeUndefined();
  });
});
