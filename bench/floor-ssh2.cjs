// The floor under any Node deploy tool built on ssh2, for the rollback rows of bench/RESULTS.md:
// a Node process that opens one connection per host (all at once) and runs `true` in each, with
// nothing else: no config file, no host-key check, no state read, no lock. shipyaml's rollback
// does all of that plus two round trips per host; it cannot go under this.
//
// Built to be as lean as Node + ssh2 can be, so that it is a floor: CommonJS (no ES module
// loader), and every host's TCP connection opened on the first lines, before ssh2 loads, so that
// sshd's start on the other side (it forks and re-executes itself before it says hello) overlaps
// with loading ssh2 instead of following it. A tool can only dial that early if it knows its hosts
// before it has read a config.
//
// With --run, each host runs that command instead of `true`: given the script's own rollback
// command, it is what the script's work costs over ssh2, with none of shipyaml's checks.
//
//   node bench/floor-ssh2.cjs [--run COMMAND] KEY_FILE PORT...      (hosts on 127.0.0.1, user root)
'use strict';
const { Socket } = require('node:net');

const args = process.argv.slice(2);
const command = args[0] === '--run' ? args.splice(0, 2)[1] : 'true';
const [keyFile, ...ports] = args;
if (!command || !keyFile || ports.length === 0) {
  console.error('usage: node bench/floor-ssh2.cjs [--run COMMAND] KEY_FILE PORT...');
  process.exit(2);
}
const sockets = ports.map((port) => {
  const socket = new Socket();
  // An error before ssh2 takes the socket is reported when it does (ssh2 re-emits none it missed).
  socket.on('error', (e) => (socket.earlyError ??= e));
  socket.connect({ host: '127.0.0.1', port: Number(port) });
  socket.setNoDelay(true);
  return socket;
});

// Node issues each connect on the next tick: ssh2 loads on the tick after them, so that the
// connects have left before its module code runs (a plain require here would run first).
process.nextTick(main);

function main() {
  const { Client } = require('ssh2');
  const privateKey = require('node:fs').readFileSync(keyFile);
  Promise.all(sockets.map((s, i) => run(Client, privateKey, s, ports[i]))).catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}

function run(Client, privateKey, socket, port) {
  return new Promise((resolve, reject) => {
    if (socket.earlyError) return reject(new Error(`port ${port}: ${socket.earlyError.message}`));
    const c = new Client();
    const timer = setTimeout(() => c.destroy(), 30_000);
    c.on('error', (e) => reject(new Error(`port ${port}: ${e.message}`)))
      .on('close', () => {
        clearTimeout(timer);
        reject(new Error(`port ${port}: closed before the command ended`)); // a no-op once resolved
      })
      .on('ready', () => {
        c.exec(command, (e, ch) => {
          if (e) return reject(e);
          ch.resume();
          ch.stderr.resume();
          ch.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`port ${port}: exit ${code}`))));
          ch.on('close', () => c.end());
        });
      })
      .connect({ sock: socket, username: 'root', privateKey, algorithms: { cipher: ['aes128-gcm@openssh.com'], compress: ['none'] } });
  });
}
