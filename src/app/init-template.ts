// The deploy.yml that `shipyaml init` writes, per built-in recipe. Every line a newcomer may need
// to change carries a comment; the `local` stage deploys on this machine without PHP, a database
// or a process manager (laravel's shared .env and storage/ need `shipyaml setup local` first).
import { stringify } from 'yaml';

export type InitRecipe = 'laravel' | 'node' | 'static';

export interface InitAnswers {
  recipe: InitRecipe;
  app: string;
  host: string;
  deployTo: string;
  /** The build directory, relative to the app (".", "./public"…). */
  build: string;
  /** What the yaml-language-server line points at. */
  schema: string;
  /** node: the app has package-lock.json (or npm-shrinkwrap.json), so npm ci can install in each release. */
  lockfile?: boolean;
}

/**
 * A value the user typed, as a YAML scalar that reads back as exactly that string: plain when it
 * is a plain word, else quoted (by the yaml library itself), so "web1 # x" or "true" cannot
 * turn into a comment or a boolean.
 */
export function yamlScalar(v: string): string {
  // A control character would become a block scalar; the config rejects it anyway, visibly.
  return /[\u0000-\u001f]/.test(v) ? JSON.stringify(v) : stringify(v, { lineWidth: 0 }).trimEnd();
}

/** A line with its comment in the column the fixed lines use (two spaces further when it is long). */
const commented = (text: string, comment: string): string => `${text.padEnd(27)} # ${comment}`;

/** YAML list of plain words (the values here are ours: no quoting needed, checked by a test). */
const list = (items: string[]): string => `[${items.join(', ')}]`;

function header(a: InitAnswers, what: string): string {
  return `# yaml-language-server: $schema=${a.schema}
# How ${a.app} is deployed (${what}). Check it: shipyaml validate; every command it would run:
# shipyaml plan production. Keys and recipes: the shipyaml README ("deploy.yml", "Recipes").
#
# Try it on this machine first:  ${a.recipe === 'laravel' ? 'shipyaml setup local && ' : ''}shipyaml deploy local
# Then on the server:            shipyaml setup production && shipyaml deploy production
app: ${yamlScalar(a.app)}
`;
}

function stages(a: InitAnswers, localVars: string[]): string {
  const vars = localVars.length ? `    vars:\n${localVars.map((v) => `      ${v}\n`).join('')}` : '';
  return `stages:
  production:
    deploy_to: ${yamlScalar(a.deployTo)}
    # user: deploy            # the login user (default: from ~/.ssh/config, else yours)
    hosts:
${commented(`      - ${yamlScalar(a.host)}`, 'a name, or an alias from ~/.ssh/config')}
  local:                      # a directory on this machine: the whole deploy, no server needed
    hosts: [{ local: true }]
    deploy_to: ${yamlScalar(`./.shipyaml/local/${a.app}`)}
${vars}`;
}

function laravel(a: InitAnswers): string {
  return `${header(a, 'Laravel')}extends: [laravel]          # shared .env, storage/, public/uploads; artisan migrate --force once
                            # before the switch; nginx and PHP-FPM reloaded after switch and rollback

source:
${commented(`  build: ${yamlScalar(a.build)}`, 'uploaded as each release: run composer install --no-dev first (vendor/)')}
  # shared paths and what the server does not need stay behind:
  exclude: ${list(['.git', 'node_modules', '.env', 'storage/**', 'public/uploads', '.shipyaml', 'deploy.yml'])}

# shared: { group: www-data } # the web server's group: setup makes shared/ its own (setgid 2775);
                            # the recipe's files and dirs stay (sections merge key by key)
vars:
  php_fpm: php8.3-fpm         # the PHP-FPM service the recipe reloads (laravel requires it)

${stages(a, [
  'artisan: echo php artisan    # prints the artisan commands: no PHP or database needed here',
  'reload_command: echo "nothing to reload on the local target"',
])}`;
}

function node(a: InitAnswers): string {
  const deps = a.lockfile
    ? ''
    : `  dependencies: build        # no package-lock.json here, which npm ci needs: node_modules/ comes with
                             # the build. Commit a lockfile and remove this line to install in each release.
`;
  const exclude = a.lockfile ? ['.git', 'node_modules', '.env', '.shipyaml', 'deploy.yml'] : ['.git', '.env', '.shipyaml', 'deploy.yml'];
  return `${header(a, 'Node.js')}extends: [node]             # production dependencies installed in each release (npm ci --omit=dev);
                            # the app restarted through systemd or pm2 after switch and rollback

source:
${commented(`  build: ${yamlScalar(a.build)}`, 'uploaded as each release')}
  exclude: ${list(exclude)}

vars:
  process_manager: systemd    # systemd (a unit named like the app, or set service), pm2 or none
${deps}
${stages(a, ['process_manager: none      # nothing to restart on this machine'])}`;
}

function staticSite(a: InitAnswers): string {
  const exclude = a.build === '.' ? `  exclude: ${list(['.git', '.DS_Store', 'node_modules', '.shipyaml', 'deploy.yml'])}\n` : '';
  return `${header(a, 'static files')}extends: [static]           # files served as they are: no hooks, the switch is the deploy

source:
${commented(`  build: ${yamlScalar(a.build)}`, "uploaded as each release (your site generator's output)")}
${exclude}
${stages(a, [])}`;
}

export function renderInit(a: InitAnswers): string {
  if (a.recipe === 'laravel') return laravel(a);
  if (a.recipe === 'node') return node(a);
  return staticSite(a);
}
