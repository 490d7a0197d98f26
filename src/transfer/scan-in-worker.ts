import type { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../errors/codes.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { takeScanThread } from './scan-thread.js';
import { scanBuild, type BuildManifest, type ScanOptions } from './scan.js';

type Reply = { walked: true } | { manifest: BuildManifest } | { error: { code?: ErrorCode; message: string; hint?: string } };

/** A scan under way: `walked` once the build's shape is known good (nothing read yet), then the manifest. */
export interface BuildScan {
  walked: Promise<void>;
  manifest: Promise<BuildManifest>;
}

/**
 * The build scan on its worker thread (scan-thread.ts: the one the CLI spawned ahead for a
 * deploy, else a new one), so that reading and hashing the build (hundreds of ms of CPU) overlap
 * with connecting and locking. Running from sources (vitest) there is no compiled worker and the
 * scan runs inline, walked only once hashed; a built copy always has its worker, and a missing
 * one fails the deploy rather than quietly losing the overlap.
 */
export function scanBuildInWorker(dir: string, exclude: readonly string[], opts: ScanOptions = {}): BuildScan {
  const thread = takeScanThread();
  if (thread === undefined || 'failed' in thread) {
    const manifest = thread === undefined ? scanBuild(dir, exclude, opts) : Promise.reject(thread.failed);
    return settled({ walked: manifest.then(() => undefined), manifest });
  }
  return settled(runScan(thread.worker, thread.errors, dir, exclude, opts));
}

function runScan(worker: Worker, earlyErrors: unknown[], dir: string, exclude: readonly string[], opts: ScanOptions): BuildScan {
  let onWalked!: () => void;
  let onFailed!: (e: unknown) => void;
  const walked = new Promise<void>((resolve, reject) => {
    onWalked = resolve;
    onFailed = reject;
  });
  const manifest = new Promise<BuildManifest>((resolve, reject) => {
    let done = false;
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      onFailed(e); // no-op once walked
      reject(e);
    };
    if (earlyErrors.length) return fail(earlyErrors[0]);
    worker.ref();
    worker.on('message', (r: Reply) => {
      if ('walked' in r) return onWalked();
      if ('manifest' in r) {
        done = true;
        resolve(r.manifest);
      } else {
        fail(r.error.code ? new ShipyamlError(r.error.code, r.error.message, { hint: r.error.hint }) : new Error(r.error.message));
      }
    });
    worker.on('error', fail);
    worker.once('exit', (code) => fail(new Error(`the build scan stopped with exit code ${code}`)));
    worker.postMessage({ dir, exclude: [...exclude], opts });
  });
  return { walked, manifest };
}

/** Handled here so that awaiting one of the two never leaves the other's rejection unhandled. */
function settled(scan: BuildScan): BuildScan {
  scan.walked.catch(() => {});
  scan.manifest.catch(() => {});
  return scan;
}
