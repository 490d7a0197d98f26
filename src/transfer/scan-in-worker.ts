import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../errors/codes.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { scanBuild, type BuildManifest } from './scan.js';

const WORKER = new URL('./scan-worker.js', import.meta.url);

type Reply = { manifest: BuildManifest } | { error: { code?: ErrorCode; message: string; hint?: string } };

/**
 * scanBuild on a worker thread, so that reading and hashing the build (hundreds of ms of CPU)
 * overlaps with connecting and locking instead of following them. Where the compiled worker is
 * not beside this file (running from sources), the scan runs inline.
 */
export function scanBuildInWorker(dir: string, exclude: readonly string[]): Promise<BuildManifest> {
  if (!existsSync(fileURLToPath(WORKER))) return scanBuild(dir, exclude);
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { dir, exclude: [...exclude] } });
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
