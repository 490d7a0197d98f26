// Opens the door into a private network namespace: a port on 127.0.0.1 (machine network) whose
// connections arrive at innerPort inside the namespace of netnsPid. The listening socket is
// created here and passed to a separate process (door.mjs) so the door keeps working even while
// the test process is blocked (e.g. in spawnSync of the CLI).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { killQuietly } from './proc.js';

export interface Door {
  port: number;
  pid: number;
  child: ChildProcess;
  exited: Promise<void>;
}

const DOOR_SCRIPT = fileURLToPath(new URL('./door.mjs', import.meta.url));

export async function openDoor(netnsPid: number, innerPort: number, timeoutMs = 10_000): Promise<Door> {
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const child = spawn('nsenter', [`--net=/proc/${netnsPid}/ns/net`, process.execPath, DOOR_SCRIPT, String(innerPort)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  try {
    if (pid === undefined) throw new Error('could not spawn the door process');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`door not ready after ${timeoutMs} ms`)), timeoutMs);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`door exited during startup (${code})`));
      });
      child.send('server', server);
    });
  } catch (e) {
    server.close();
    if (pid !== undefined) killQuietly(pid, 'SIGKILL');
    await exited;
    throw e;
  }
  // The door process now owns the only listening copy; the IPC channel is no longer needed.
  server.close();
  child.disconnect();
  return { port, pid, child, exited };
}
