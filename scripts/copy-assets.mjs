// Copies non-TypeScript assets that the built CLI reads at run time into dist/.
import { cpSync, existsSync, mkdirSync, readdirSync, chmodSync } from 'node:fs';

const recipes = 'src/recipes';
if (existsSync(recipes)) {
  mkdirSync('dist/recipes', { recursive: true });
  for (const f of readdirSync(recipes)) if (/\.ya?ml$/.test(f)) cpSync(`${recipes}/${f}`, `dist/recipes/${f}`);
}
chmodSync('dist/cli/bin.cjs', 0o755);
