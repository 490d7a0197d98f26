import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli } from './cli.js';

const READER = fileURLToPath(new URL('./reader.mjs', import.meta.url));

export function writeRelease(dir: string, label: string): void {
  for (const n of ['a.txt', 'b.txt', 'c.txt']) {
    const line = `${n}:release-${label}\n`;
    writeFileSync(join(dir, 'build', n), line.repeat(Math.ceil((64 * 1024) / line.length)).slice(0, 64 * 1024 - 1) + '\n');
  }
}

/**
 * 30 consecutive deploys (a rollback among them) while a reader process reads three files
 * through current/ as fast as it can. Returns the reader's counts.
 */
export async function deploysUnderReads(dir: string, root: string, stage: string, deploys = 30) {
  writeRelease(dir, 'first');
  expect((await runCli(['deploy', stage], { cwd: dir })).code).toBe(0);
  const reader = spawn(process.execPath, [READER, root, '300000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  reader.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const finished = new Promise<void>((resolve) => reader.on('close', () => resolve()));
  try {
    for (let i = 1; i <= deploys; i++) {
      writeRelease(dir, String(i));
      const r = await runCli(i === 15 ? ['rollback', stage] : ['deploy', stage], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  } finally {
    reader.kill('SIGTERM');
    await finished;
  }
  return JSON.parse(out) as { reads: number; failures: number; releasesSeen: number; samples: string[] };
}
