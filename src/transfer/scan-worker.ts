// Runs the build scan off the main thread (see scan-in-worker.ts). Started before the config is
// read, it waits for the one message that says what to scan; then it walks the build and says
// so, and reads and hashes it, while the main thread does the SSH handshakes and takes the locks.
import { parentPort } from 'node:worker_threads';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { scanBuildSync, type ScanOptions } from './scan.js';

parentPort!.once('message', ({ dir, exclude, opts }: { dir: string; exclude: string[]; opts: ScanOptions }) => {
  try {
    const manifest = scanBuildSync(dir, exclude, opts, () => parentPort!.postMessage({ walked: true }));
    parentPort!.postMessage({ manifest });
  } catch (e) {
    const err = e instanceof ShipyamlError ? { code: e.code, message: e.message, hint: e.hint } : { message: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage({ error: err });
  }
  parentPort!.close();
});
