// This process's IPv4 TCP connections to the given ports that are opening or open, read from
// /proc (Linux): how a test tells that a connect has left the process, whatever Node's socket
// object says of it. Plain CommonJS: ssh2-load-probe.cjs runs it inside the CLI, tests require it.
'use strict';
const { readFileSync, readdirSync, readlinkSync } = require('node:fs');

const SYN_SENT = '02';
const ESTABLISHED = '01';

/** @param {Iterable<number>} ports @returns {number} */
function ownConnections(ports) {
  const wanted = new Set(ports);
  const inodes = new Set();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  let n = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/); // sl local_address rem_address st … inode
    if (f.length < 10) continue;
    const port = parseInt(f[2].split(':')[1], 16);
    if (wanted.has(port) && (f[3] === SYN_SENT || f[3] === ESTABLISHED) && inodes.has(f[9])) n++;
  }
  return n;
}

module.exports = { ownConnections };
