// A reader that hammers three files through current/ while deploys run, as a web server would.
// Every read must return a whole file of one release. Stops on SIGTERM or after --max-ms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [root, maxMs = '180000'] = process.argv.slice(2);
const names = ['a.txt', 'b.txt', 'c.txt'];
let reads = 0;
let failures = 0;
const samples = [];
const seen = new Set();
const deadline = Date.now() + Number(maxMs);
let stop = false;
process.on('SIGTERM', () => (stop = true));

function check(name, text) {
  // A file is "name:release-<id>\n" repeated to 64 KiB (the last line cut short): complete means
  // the right length, every line the same release, and the cut line a prefix of the others.
  const lines = text.split('\n');
  const first = lines[0];
  const whole =
    text.length === 64 * 1024 &&
    first.startsWith(`${name}:release-`) &&
    lines.slice(0, -2).every((l) => l === first) &&
    first.startsWith(lines[lines.length - 2]) &&
    lines[lines.length - 1] === '';
  if (!whole) {
    failures++;
    if (samples.length < 5) samples.push(`${name}: ${text.length} bytes, starts ${JSON.stringify(text.slice(0, 40))}`);
  } else seen.add(first.split(':')[1]);
}

function loop() {
  for (let i = 0; i < 500 && !stop; i++) {
    for (const n of names) {
      reads++;
      try {
        check(n, readFileSync(join(root, 'current', n), 'utf8'));
      } catch (e) {
        failures++;
        if (samples.length < 5) samples.push(`${n}: ${e.code ?? e.message}`);
      }
    }
  }
  if (stop || Date.now() > deadline) {
    process.stdout.write(JSON.stringify({ reads, failures, releasesSeen: seen.size, samples }) + '\n');
    process.exit(0);
  }
  setImmediate(loop);
}
loop();
