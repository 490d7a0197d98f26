import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import type { CommandContext, CommandOutcome } from './run-command.js';

export interface InitOptions {
  force?: boolean;
  recipe?: string;
  host?: string;
  deployTo?: string;
  build?: string;
}

type Kind = 'laravel' | 'node' | 'static';

export function detectKind(dir: string): Kind {
  if (existsSync(join(dir, 'artisan'))) return 'laravel';
  if (existsSync(join(dir, 'package.json'))) return 'node';
  return 'static';
}

/** `init`: a commented deploy.yml for the app in this directory; never overwrites without --force. */
export async function initCommand(ctx: CommandContext, o: InitOptions): Promise<CommandOutcome> {
  const dir = ctx.opts.cwd ?? process.cwd();
  const file = join(dir, 'deploy.yml');
  if (existsSync(file) && !o.force) {
    throw new ShipyamlError('E_USAGE', `${file} already exists`, { hint: 'Edit it, or run `shipyaml init --force` to replace it.' });
  }
  const kind = (o.recipe as Kind | undefined) ?? detectKind(dir);
  if (!['laravel', 'node', 'static'].includes(kind)) {
    throw new ShipyamlError('E_USAGE', `--recipe ${kind}: unknown recipe`, { hint: 'Use laravel, node or static.' });
  }
  await writeFile(file, renderInit(kind, basename(dir), o));
  return { message: `wrote ${file} (${kind}); try \`shipyaml validate\` then \`shipyaml deploy local\`` };
}

export function renderInit(kind: Kind, app: string, o: InitOptions): string {
  const name = app.replace(/[^A-Za-z0-9_.-]/g, '-') || 'app';
  const build = o.build ?? (kind === 'static' ? './public' : '.');
  const host = o.host ?? 'web1.example.com';
  const deployTo = o.deployTo ?? `/srv/www/${name}`;
  const shared =
    kind === 'laravel'
      ? `shared:\n  files: [.env]\n  dirs: [storage, public/uploads]\n  # group: www-data        # the web server's group; \`shipyaml setup\` applies it with setgid 2775\n`
      : kind === 'node'
        ? `shared:\n  files: []\n  dirs: [logs]\n`
        : `shared:\n  files: []\n  dirs: []\n`;
  const tasks =
    kind === 'laravel'
      ? `tasks:\n  migrate: { run: "php artisan migrate --force", once: true }\n  # reload: { run: "sudo systemctl reload nginx php8.3-fpm" }\n\nhooks:\n  before_switch: [migrate]\n  # after_switch: [reload]\n  # after_rollback: [reload]\n`
      : kind === 'node'
        ? `tasks:\n  # install: { run: "npm ci --omit=dev" }\n  # restart: { run: "sudo systemctl restart {{app}}" }\n  noop: { run: "true" }\n\nhooks:\n  before_switch: []\n  # after_switch: [restart]\n`
        : `tasks: {}\n\nhooks: {}\n`;
  return `# yaml-language-server: $schema=https://unpkg.com/shipyaml/schema/deploy.schema.json
# shipyaml deploy file. Docs: README.md; every key: deploy.example.yml.
app: ${name}
keep_releases: 5

source:
  build: ${build}             # the directory uploaded as each release
  exclude: [.git, node_modules/.cache, .shipyaml, deploy.yml]

${shared}
${tasks}
stages:
  production:
    deploy_to: ${deployTo}
    hosts:
      - ${host}               # a name, or an alias from ~/.ssh/config
  local:                      # the built-in target: a directory on this machine
    hosts: [{ local: true }]
    deploy_to: ./.shipyaml/local/${name}
`;
}
