// `npm run demo`: a real deploy of examples/laravel-app on the built-in local target, then shows
// what it left: the releases table, the layout, and the migration the fake artisan recorded.
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = join(root, 'examples/laravel-app');
const cli = join(root, 'dist/cli/bin.cjs');
const run = (...args) => {
  console.log(`\n$ shipyaml ${args.join(' ')}`);
  execFileSync(process.execPath, [cli, ...args], { cwd: app, stdio: 'inherit' });
};

run('validate');
run('setup', 'local');
run('deploy', 'local');
run('releases', 'local');

const target = join(app, '.shipyaml/local/laravel-app');
console.log(`\n${target}:`);
console.log(`  current -> ${readlinkSync(join(target, 'current'))}`);
console.log(`  releases/: ${readdirSync(join(target, 'releases')).join(' ')}`);
console.log(`  current/.env -> ${readlinkSync(join(target, 'current/.env'))}`);
const log = join(target, 'shared/storage/logs/migrations.log');
if (existsSync(log)) console.log(`  migrations recorded:\n${readFileSync(log, 'utf8').trim().split('\n').map((l) => `    ${l}`).join('\n')}`);
