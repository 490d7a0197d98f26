// Runs scanBuild off the main thread (see scan-in-worker.ts): reads and hashes the build while
// the main thread does the SSH handshakes.
import { parentPort, workerData } from 'node:worker_threads';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { scanBuild } from './scan.js';

const { dir, exclude } = workerData as { dir: string; exclude: string[] };
try {
  parentPort!.postMessage({ manifest: await scanBuild(dir, exclude) });
} catch (e) {
  const err = e instanceof ShipyamlError ? { code: e.code, message: e.message, hint: e.hint } : { message: e instanceof Error ? e.message : String(e) };
  parentPort!.postMessage({ error: err });
}
