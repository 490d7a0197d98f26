// Preloaded (node --require) into the built CLI by a test. When ssh2's module code first runs
// (it requires the optional cpu-features package, the one require the bundle leaves to it), it
// writes how many TCP connections this process already has open or opening to the given ports,
// from /proc (Linux): shipyaml opens them before ssh2 loads (src/transport/ssh-dial.ts).
'use strict';
const Module = require('node:module');
const { readFileSync, readdirSync, readlinkSync, writeFileSync } = require('node:fs');

const ports = new Set((process.env.SHIPYAML_PROBE_PORTS ?? '').split(',').filter(Boolean).map(Number));
const out = process.env.SHIPYAML_PROBE_OUT;
const load = Module._load;
let written = false;

Module._load = function probe(request, ...rest) {
  if (!written && out && request === 'cpu-features') {
    written = true;
    writeFileSync(out, JSON.stringify({ connections: ownConnections() }));
  }
  return load.call(this, request, ...rest);
};

/** This process's IPv4 TCP sockets that are connecting (SYN_SENT) or connected to one of the ports. */
function ownConnections() {
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
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const port = parseInt(f[2].split(':')[1], 16);
    const state = f[3]; // 01 ESTABLISHED, 02 SYN_SENT
    if (ports.has(port) && (state === '01' || state === '02') && inodes.has(f[9])) n++;
  }
  return n;
}
