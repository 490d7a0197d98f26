// Preloaded (node --require) into the built CLI by a test. When ssh2's module code first runs
// (it requires the optional cpu-features package, the one require the bundle leaves to it), it
// writes how many TCP connections this process already has open or opening to the given ports:
// shipyaml opens them before ssh2 loads (src/transport/ssh-dial.ts).
'use strict';
const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const { ownConnections } = require('./proc-tcp.cjs');

const ports = (process.env.SHIPYAML_PROBE_PORTS ?? '').split(',').filter(Boolean).map(Number);
const out = process.env.SHIPYAML_PROBE_OUT;
const load = Module._load;
let written = false;

Module._load = function probe(request, ...rest) {
  if (!written && out && request === 'cpu-features') {
    written = true;
    writeFileSync(out, JSON.stringify({ connections: ownConnections(ports) }));
  }
  return load.call(this, request, ...rest);
};
