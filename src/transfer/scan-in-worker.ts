import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../errors/codes.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { scanWorkerFile } from '../package-files.js';
import { scanBuild, type BuildManifest } from './scan.js';

type Reply = { manifest: BuildManifest } | { error: { code?: ErrorCode; message: string; hint?: string } };

/**
 * scanBuild on a worker thread, so that reading and hashing the build (hundreds of ms of CPU)
 * overlaps with connecting and locking instead of following them. Running from sources (vitest)
 * there is no compiled worker and the scan runs inline; a built copy always has its worker, and a
 * missing one fails the deploy rather than quietly losing the overlap.
 */
export function scanBuildInWorker(dir: string, exclude: readonly string[]): Promise<BuildManifest> {
  const file = scanWorkerFile();
  if (file === undefined) return scanBuild(dir, exclude);
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: { dir, exclude: [...exclude] } });
    let settled = false;
    worker.once('message', (r: Reply) => {
      settled = true;
      if ('manifest' in r) resolve(r.manifest);
      else if (r.error.code) reject(new ShipyamlError(r.error.code, r.error.message, { hint: r.error.hint }));
      else reject(new Error(r.error.message));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the build scan stopped with exit code ${code}`));
    });
  });
}
