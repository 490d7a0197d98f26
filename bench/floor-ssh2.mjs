// The floor under any Node deploy tool built on ssh2, for the rollback rows of bench/RESULTS.md:
// a Node process that loads ssh2, opens one connection per host (all at once) and runs `true` in
// each, with nothing else: no config file, no host-key check, no state read, no lock. shipyaml's
// rollback does all of that plus two round trips per host; it cannot go under this.
//
// With --run, each host runs that command instead of `true`: given the script's own rollback
// command, it is what the script's work costs over ssh2, with none of shipyaml's checks.
//
//   node bench/floor-ssh2.mjs [--run COMMAND] KEY_FILE PORT...      (hosts on 127.0.0.1, user root)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client } = require('ssh2');
const args = process.argv.slice(2);
const command = args[0] === '--run' ? args.splice(0, 2)[1] : 'true';
const [keyFile, ...ports] = args;
if (!command || !keyFile || ports.length === 0) {
  console.error('usage: node bench/floor-ssh2.mjs [--run COMMAND] KEY_FILE PORT...');
  process.exit(2);
}
const privateKey = readFileSync(keyFile);

function run(port) {
  return new Promise((resolve, reject) => {
    const c = new Client();
    const timer = setTimeout(() => c.destroy(), 30_000);
    c.on('error', (e) => reject(new Error(`port ${port}: ${e.message}`)))
      .on('close', () => clearTimeout(timer))
      .on('ready', () => {
        c.exec(command, (e, ch) => {
          if (e) return reject(e);
          ch.resume();
          ch.stderr.resume();
          ch.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`port ${port}: exit ${code}`))));
          ch.on('close', () => c.end());
        });
      })
      .connect({ host: '127.0.0.1', port: Number(port), username: 'root', privateKey, algorithms: { cipher: ['aes128-gcm@openssh.com'], compress: ['none'] } });
  });
}

try {
  await Promise.all(ports.map(run));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
