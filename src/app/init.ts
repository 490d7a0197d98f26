// `shipyaml init`: a commented deploy.yml built on the recipe that fits the app in this directory
// (artisan -> laravel, package.json -> node, else static). In a terminal it asks for the recipe,
// the production host and deploy_to; flags answer instead (and are the only way without one).
// The file is checked like `shipyaml validate` before init reports success, and an existing
// deploy.yml is never replaced without --force.
import { existsSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { loadConfig, validateAll } from '../config/index.js';
import { ShipyamlError, isShipyamlError } from '../errors/shipyaml-error.js';
import { renderInit, type InitAnswers, type InitRecipe } from './init-template.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export interface InitOptions {
  force?: boolean;
  recipe?: string;
  host?: string;
  deployTo?: string;
  build?: string;
}

const RECIPES: readonly InitRecipe[] = ['laravel', 'node', 'static'];
/** Where site generators and bundlers put a static build, in the order they are tried. */
const STATIC_BUILDS = ['dist', 'public', 'build', '_site', 'out'];
// Not installed yet (npx): where `npm install -D shipyaml` will put it.
const SCHEMA_PATH = './node_modules/shipyaml/schema/deploy.schema.json';
const MAX_ASKS = 3;

export function detectKind(dir: string): InitRecipe {
  if (existsSync(join(dir, 'artisan'))) return 'laravel';
  if (existsSync(join(dir, 'package.json'))) return 'node';
  return 'static';
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

function defaultBuild(dir: string, recipe: InitRecipe): string {
  if (recipe !== 'static') return '.';
  const found = STATIC_BUILDS.find((d) => isDir(join(dir, d)));
  return found ? `./${found}` : '.';
}

/** The schema of an installed shipyaml, relative to the app (editors read it offline). */
function schemaFor(dir: string): string {
  let d = dir;
  for (let i = 0; i < 64; i++) {
    const file = join(d, 'node_modules', 'shipyaml', 'schema', 'deploy.schema.json');
    if (existsSync(file)) {
      const rel = relative(dir, file).split('\\').join('/');
      return rel.startsWith('.') ? rel : `./${rel}`;
    }
    if (dirname(d) === d) break;
    d = dirname(d);
  }
  return SCHEMA_PATH;
}

function usageIfUnknown(recipe: string): InitRecipe {
  if ((RECIPES as readonly string[]).includes(recipe)) return recipe as InitRecipe;
  throw new ShipyamlError('E_USAGE', `--recipe ${recipe}: unknown recipe`, { hint: `Use ${RECIPES.join(', ')}.` });
}

/**
 * Questions in a terminal; a flag that was given is not asked. Prompts go to stderr. Answers are
 * read as a stream of lines, so answers typed (or pasted) ahead of a prompt are not lost.
 */
async function ask(defaults: { recipe: InitRecipe; host: string; deployTo: (recipe: InitRecipe) => string }, o: InitOptions): Promise<{ recipe: InitRecipe; host: string; deployTo: string }> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const lines = rl[Symbol.asyncIterator]();
  try {
    const question = async (text: string, fallback: string): Promise<string> => {
      process.stderr.write(`${text} [${fallback}]: `);
      const next = await lines.next();
      if (next.done) throw new ShipyamlError('E_USAGE', 'no answer (input ended)', { hint: 'Pass --recipe, --host and --deploy-to instead.' });
      return String(next.value).trim() || fallback;
    };
    let recipe = o.recipe as InitRecipe | undefined;
    for (let i = 0; recipe === undefined && i < MAX_ASKS; i++) {
      const answer = await question(`Recipe (${RECIPES.join(', ')})`, defaults.recipe);
      if ((RECIPES as readonly string[]).includes(answer)) recipe = answer as InitRecipe;
      else process.stderr.write(`  "${answer}" is not one of ${RECIPES.join(', ')}\n`);
    }
    if (recipe === undefined) throw new ShipyamlError('E_USAGE', 'no recipe chosen', { hint: `Run again and answer ${RECIPES.join(', ')}, or pass --recipe.` });
    const host = o.host ?? (await question('Production host (a name or an ssh alias)', defaults.host));
    const deployTo = o.deployTo ?? (await question('deploy_to on that host', defaults.deployTo(recipe)));
    return { recipe, host, deployTo };
  } finally {
    rl.close();
  }
}

export async function initCommand(ctx: CommandContext, o: InitOptions): Promise<CommandOutcome> {
  const dir = ctx.opts.cwd ?? process.cwd();
  const file = join(dir, 'deploy.yml');
  const previous = existsSync(file) ? await readFile(file, 'utf8') : undefined;
  if (previous !== undefined && !o.force) {
    throw new ShipyamlError('E_USAGE', `${file} already exists`, { hint: 'Edit it, or run `shipyaml init --force` to replace it.' });
  }
  if (o.recipe !== undefined) usageIfUnknown(o.recipe);
  const app = basename(dir).replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '') || 'app';
  const defaults = { recipe: detectKind(dir), host: 'web1.example.com', deployTo: () => `/srv/www/${app}` };
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !ctx.opts.json;
  const chosen = interactive
    ? await ask(defaults, o)
    : { recipe: (o.recipe as InitRecipe | undefined) ?? defaults.recipe, host: o.host ?? defaults.host, deployTo: o.deployTo ?? defaults.deployTo() };

  const answers: InitAnswers = {
    ...chosen,
    app,
    build: o.build ?? defaultBuild(dir, chosen.recipe),
    schema: schemaFor(dir),
    lockfile: existsSync(join(dir, 'package-lock.json')) || existsSync(join(dir, 'npm-shrinkwrap.json')),
  };
  await writeFile(file, renderInit(answers));
  await checkWritten(dir, file, previous);
  const setup = chosen.recipe === 'laravel' ? 'shipyaml setup local && ' : '';
  return { message: `wrote ${file} (extends ${chosen.recipe}); next: ${setup}shipyaml deploy local` };
}

/** The written file as `validate` sees it; when it does not pass (a bad --host…), what was there before comes back. */
async function checkWritten(dir: string, file: string, previous: string | undefined): Promise<void> {
  try {
    validateAll(await loadConfig({ cwd: dir, configFile: file }), { env: {} });
  } catch (e) {
    if (previous === undefined) await rm(file, { force: true });
    else await writeFile(file, previous);
    if (!isShipyamlError(e)) throw e;
    throw new ShipyamlError('E_USAGE', `the deploy.yml init would write is not valid with the values given: ${e.message}`, {
      details: e.details,
      hint: 'Check the values given with --host and --deploy-to (or the answers), then run init again.',
    });
  }
}
