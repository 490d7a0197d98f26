#!/usr/bin/env node
// The package's bin. A CommonJS entry starts without the ES module loader, so `shipyaml --version`
// (which CI scripts call in loops) answers for the cost of Node itself; everything else is main.js.
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
  // From Node 22.1, V8's compiled code for every module loaded from here on is kept on disk (in
  // Node's own cache directory, as npm and tsc do), so the next run skips compiling ~0.5 MB of
  // JavaScript: `validate` ~17 ms faster here. NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20
  // has no such function. Never fatal: a cache that cannot be written is only not used.
  try {
    (require('node:module') as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  } catch {
    // a Node that has the function but refuses (an unwritable directory): run without it
  }
  // A failure to load main.js is a crash with a stack trace, as it was when main.js was the bin.
  void import('./main.js');
}
