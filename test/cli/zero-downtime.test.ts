import { describe, expect, it } from 'vitest';
import { makeApp, localStage } from '../support/app.js';
import { deploysUnderReads } from '../support/zero-downtime.js';

describe('zero downtime on the local target', () => {
  it('30 deploys with a rollback among them while a reader reads through current/: 0 failed reads', async () => {
    const { dir, root } = makeApp(localStage());
    const r = await deploysUnderReads(dir, root, 'local');
    console.log(`zero downtime (local): ${r.reads} reads, ${r.failures} failures, ${r.releasesSeen} releases seen`);
    expect(r.samples).toEqual([]);
    expect(r.failures).toBe(0);
    expect(r.reads).toBeGreaterThan(1000);
    expect(r.releasesSeen).toBeGreaterThan(10);
  }, 240_000);
});
