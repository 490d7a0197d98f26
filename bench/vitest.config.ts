// `npm run bench` runs the benchmark through vitest (so it is TypeScript like the harness it
// uses) without being part of `npm test`: the root `vitest run` uses vitest's default include
// (**/*.{test,spec}.*), which matches no file under bench/, and this config includes only
// bench/run.ts (BENCH_FILE=path runs another file with the same settings, for experiments).
// One file, one fork: the benchmark owns the machine while it runs.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const HOUR = 60 * 60 * 1000;

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: [process.env.BENCH_FILE ?? 'bench/run.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: HOUR,
    hookTimeout: 5 * 60 * 1000,
    disableConsoleIntercept: true, // progress lines straight to the terminal, as they happen
    reporters: ['default'],
  },
});
