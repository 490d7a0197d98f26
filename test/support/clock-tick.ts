import { lstatSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Waits until the filesystem's clock, read from a file made in `probeDir`, has passed every ctime
 * in `dir`: a build scan started then records all of its files (the digest cache trusts only
 * files changed before the scan began). Timestamps tick by jiffy on ext4, so a file written just
 * before is often in the same tick. Bounded: 2 s.
 */
export async function afterClockTick(dir: string, probeDir: string): Promise<void> {
  mkdirSync(probeDir, { recursive: true });
  const newest = Math.max(...readdirSync(dir, { recursive: true }).map((p) => lstatSync(join(dir, String(p))).ctimeMs));
  const probe = join(probeDir, 'tick-probe');
  for (let i = 0; i < 400; i++) {
    writeFileSync(probe, '');
    const t = statSync(probe).ctimeMs;
    rmSync(probe);
    if (t > newest) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the filesystem clock did not move in 2 s');
}
