// `npm test`: every test under test/. Unit tests are fast; CLI and integration tests start real
// processes and sshd hosts, so on a busy 2-core CI machine a 5 s default timeout is too tight
// for the quick ones too. bench/ has its own config (npm run bench).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/scratch/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The CLIs the tests start keep their build digests (src/transfer/digest-cache.ts) here, not
    // in the ~/.cache of whoever runs the tests.
    env: { XDG_CACHE_HOME: join(tmpdir(), 'shipyaml-test-cache') },
    // Everything else a test writes to a temp dir goes under one per run, removed at its end.
    globalSetup: ['test/support/temp-root.ts'],
  },
});
