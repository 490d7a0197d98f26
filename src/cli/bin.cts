#!/usr/bin/env node
// The package's bin. A CommonJS entry starts without the ES module loader, so `shipyaml --version`
// (which CI scripts call in loops) answers for the cost of Node itself; everything else is main.js.
// Not a shell script: npm's Windows shims need a JavaScript bin, and the cost would only move.
const args = process.argv;
if (args.length === 3 && (args[2] === '--version' || args[2] === '-V')) {
  process.stdout.write(`${(require('../../package.json') as { version: string }).version}\n`);
} else {
  // A failure to load main.js is a crash with a stack trace, as it was when main.js was the bin.
  void import('./main.js');
}
