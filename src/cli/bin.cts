#!/usr/bin/env node
// The package's bin. A CommonJS entry starts without the ES module loader, so `shipyaml --version`
// (which CI scripts call in loops) answers for the cost of Node itself; everything else is the
// bundled CLI, main.cjs (see scripts/bundle.mjs).
// Not a shell script: npm's Windows shims need a JavaScript bin, and the cost would only move.
const args = process.argv;
if (args.length === 3 && (args[2] === '--version' || args[2] === '-V')) {
  const line = `${(require('../../package.json') as { version: string }).version}\n`;
  // Straight to fd 1: the first use of process.stdout builds a stream over it (for a pipe, a
  // socket and the net module), ~10 ms here, more than all the rest of this answer.
  try {
    (require('node:fs') as typeof import('node:fs')).writeSync(1, line);
  } catch (e) {
    // A non-blocking stdout that is full: the stream waits for it. A closed one: nobody reads.
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') process.stdout.write(line);
  }
} else {
  // The bundled CLI (dist/cli/main.cjs), compiled from the code its command left last time.
  // A failure to load it is a crash with a stack trace.
  const path = require('node:path') as typeof import('node:path');
  (require('./start.cjs') as { start(mainFile: string): void }).start(path.join(__dirname, 'main.cjs'));
}
