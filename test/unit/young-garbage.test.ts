import { describe, expect, it } from 'vitest';
import { collectYoungGarbage, uploadedBytes } from '../../src/transfer/young-garbage.js';

const MiB = 1024 * 1024;

// What an upload over ssh2 leaves: a Buffer of its own per 32 KiB packet, dead once written.
// Kept under the ~16 MB at which this V8 collects on its own, so that only ours can free them.
function leavePacketGarbage(bytes: number): void {
  let keep = 0;
  for (let i = 0; i < bytes / 32768; i++) keep ^= Buffer.allocUnsafe(32768)[0]!;
  expect(typeof keep).toBe('number');
}

const held = (since: number) => process.memoryUsage().arrayBuffers - since;

describe('young garbage of an upload', () => {
  it('a minor collection frees the dead packet buffers', async () => {
    collectYoungGarbage();
    const before = process.memoryUsage().arrayBuffers;
    leavePacketGarbage(8 * MiB);
    const piled = held(before);
    expect(piled).toBeGreaterThan(6 * MiB);
    expect(collectYoungGarbage()).toBe(true);
    // V8's sweeper frees a collection's dead buffers off the main thread: waited for, at most 1 s.
    for (let i = 0; i < 100 && held(before) >= piled / 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held(before)).toBeLessThan(piled / 4);
  });

  it('the upload collects each time another 8 MiB went by, not before', () => {
    const at: number[] = [];
    let total = 0;
    const count = () => at.push(total);
    uploadedBytes(8 * MiB, () => {}); // the count starts from zero
    for (const n of [3, 3, 1, 1, 5, 3, 2, 6]) {
      total += n;
      uploadedBytes(n * MiB, count);
    }
    expect(at).toEqual([8, 16, 24]);
  });
});
