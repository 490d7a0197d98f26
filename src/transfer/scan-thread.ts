// The build scan's worker thread, one per process. A deploy spawns it as early as it can
// (cli/start.ts, before the CLI's bundle is even compiled), so that its boot (~50-100 ms of CPU
// on a small VM) runs on another core meanwhile; scan-in-worker.ts takes it when the stage is known.
import { Worker } from 'node:worker_threads';
import { scanWorkerFile } from '../package-files.js';

/** A spawned thread, with any error it raised before it was used; or why it could not spawn. */
export type ScanThread = { worker: Worker; errors: unknown[] } | { failed: unknown };

// The thread spawned ahead is kept on globalThis, not in this module: start.cjs spawns it and
// main.cjs takes it, and each bundle has its own copy of this module.
const AHEAD = Symbol.for('shipyaml.scanThreadAhead');
const held = globalThis as { [AHEAD]?: ScanThread | undefined };

/** Spawns the thread now for a later takeScanThread(); nothing when running from sources. */
export function spawnScanThreadAhead(): void {
  held[AHEAD] ??= spawn();
}

/** The thread spawned ahead, or a new one; undefined when running from sources (no compiled worker). */
export function takeScanThread(): ScanThread | undefined {
  const t = held[AHEAD] ?? spawn();
  held[AHEAD] = undefined;
  return t;
}

function spawn(): ScanThread | undefined {
  const file = scanWorkerFile();
  if (file === undefined) return undefined;
  try {
    const worker = new Worker(file);
    // Until it is given a build it must not hold the process: an unused one (a config error,
    // a git source, a wrong guess) costs its boot and nothing else.
    worker.unref();
    const errors: unknown[] = [];
    worker.on('error', (e) => errors.push(e));
    return { worker, errors };
  } catch (e) {
    return { failed: e };
  }
}
