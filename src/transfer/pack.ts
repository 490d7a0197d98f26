import type { BuildEntry } from './scan.js';
import { TarPack } from './tar.js';

/** The tar stream of some entries, made as it is sent and shared by the hosts that get the same bytes. */
export type Packed = TarPack;

/** Packs entries as a POSIX tar stream (no local tar needed, so it runs anywhere Node does). */
export function packEntries(entries: readonly BuildEntry[]): Packed {
  return new TarPack(entries);
}
