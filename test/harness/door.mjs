// The one way into the jump host's private network namespace. The harness creates a listening
// socket on 127.0.0.1 in the machine's network and hands it over the IPC channel; this process
// runs inside the private namespace (via nsenter), so every connection it accepts is forwarded
// to the jump host's sshd, and nothing else in the namespace is reachable from outside.
// Plain JS: it runs under node directly, outside vitest.
import net from 'node:net';

const innerPort = Number(process.argv[2]);

process.once('message', (_msg, server) => {
  server.on('connection', (outer) => {
    const inner = net.connect(innerPort, '127.0.0.1');
    outer.pipe(inner);
    inner.pipe(outer);
    outer.on('error', () => inner.destroy());
    inner.on('error', () => outer.destroy());
    outer.on('close', () => inner.destroy());
    inner.on('close', () => outer.destroy());
    outer.resume(); // the harness accepted with pauseOnConnect
  });
  process.send?.('ready');
});
