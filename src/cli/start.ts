// What bin.cjs runs for every command but --version: the bundled CLI, with the compiled code its
// command left last time (code-cache.ts). Bundled on its own as dist/cli/start.cjs, small, since
// it must load before that code is read.
import { spawnScanThreadAhead } from '../transfer/scan-thread.js';
import { runWithCodeCache } from './code-cache.js';
import { commandWord } from './command-word.js';

export function start(mainFile: string): void {
  const command = commandWord(process.argv);
  // A deploy reads its build on a worker thread: spawned first, its boot overlaps with compiling
  // the CLI, loading the command and the config (see transfer/scan-thread.ts).
  if (command === 'deploy') spawnScanThreadAhead();
  runWithCodeCache(mainFile, command);
}
