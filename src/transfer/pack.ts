import type { BuildEntry } from './scan.js';
import { tarChunks, type TarChunks } from './tar.js';

/** The tar stream's bytes, packed once per distinct content and sent unchanged to each host. */
export type Packed = TarChunks;

/** Packs entries as a POSIX tar stream (no local tar needed, so it runs anywhere Node does). */
export function packEntries(entries: readonly BuildEntry[]): Packed {
  return tarChunks(entries);
}
