// Defaults filled in by normalisation. The schema states the same values as `default` (for
// editors and docs); test/unit/config-schema.test.ts checks that the two agree.
export const DEFAULTS = {
  keepReleases: 5,
  parallel: 10,
  build: './build',
  gitRef: 'HEAD',
  healthcheck: { retries: 3, interval: '2s', timeout: '10s' },
  ssh: { connectTimeout: '10s', keepalive: '15s', forwardAgent: false },
} as const;
