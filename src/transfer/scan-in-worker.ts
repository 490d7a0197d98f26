import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../errors/codes.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { scanWorkerFile } from '../package-files.js';
import { scanBuild, type BuildManifest } from './scan.js';

type Reply = { walked: true } | { manifest: BuildManifest } | { error: { code?: ErrorCode; message: string; hint?: string } };

/** A scan under way: `walked` once the build's shape is known good (nothing read yet), then the manifest. */
export interface BuildScan {
  walked: Promise<void>;
  manifest: Promise<BuildManifest>;
}

/**
 * The build scan on a worker thread, so that reading and hashing the build (hundreds of ms of
 * CPU) overlaps with connecting and locking instead of following them. Running from sources
 * (vitest) there is no compiled worker and the scan runs inline, walked only once hashed; a
 * built copy always has its worker, and a missing one fails the deploy rather than quietly
 * losing the overlap. Both promises reject with a scan's error; neither is left unhandled.
 */
export function scanBuildInWorker(dir: string, exclude: readonly string[]): BuildScan {
  const file = scanWorkerFile();
  if (file === undefined) {
    const manifest = scanBuild(dir, exclude);
    return settled({ walked: manifest.then(() => undefined), manifest });
  }
  let onWalked!: () => void;
  let onFailed!: (e: unknown) => void;
  const walked = new Promise<void>((resolve, reject) => {
    onWalked = resolve;
    onFailed = reject;
  });
  const manifest = new Promise<BuildManifest>((resolve, reject) => {
    const worker = new Worker(file, { workerData: { dir, exclude: [...exclude] } });
    let done = false;
    const fail = (e: unknown) => {
      done = true;
      onFailed(e); // no-op once walked
      reject(e);
    };
    worker.on('message', (r: Reply) => {
      if ('walked' in r) return onWalked();
      done = true;
      if ('manifest' in r) resolve(r.manifest);
      else fail(r.error.code ? new ShipyamlError(r.error.code, r.error.message, { hint: r.error.hint }) : new Error(r.error.message));
    });
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (!done) fail(new Error(`the build scan stopped with exit code ${code}`));
    });
  });
  return settled({ walked, manifest });
}

/** Handled here so that awaiting one of the two never leaves the other's rejection unhandled. */
function settled(scan: BuildScan): BuildScan {
  scan.walked.catch(() => {});
  scan.manifest.catch(() => {});
  return scan;
}
