// Part of `npm run build`: a generated file that no longer matches what it was generated from
// must not ship. src/config/generated/validators.ts decides alone that a config is valid, so a
// stale one would accept what the schema now rejects. (The unit tests compare the whole file.)
import { readFile } from 'node:fs/promises';
import { sourceStamp, VALIDATORS_FILE } from './gen-validators.mjs';

const stamp = await sourceStamp();
if (!(await readFile(VALIDATORS_FILE, 'utf8')).includes(`// From: ${stamp}`)) {
  console.error(`${VALIDATORS_FILE} was generated from another schema or ajv version (now: ${stamp}).\nRun: npm run gen:validators`);
  process.exit(1);
}
