// Argument parsing and exit codes only. Every command lazy-imports its use case from app/: the
// bundle (scripts/bundle.mjs) compiles them all, but runs only what the command needs.
import { Command, CommanderError, Option } from 'commander';
import type { GlobalOptions } from '../app/options.js';
import { packageVersion } from '../package-files.js';

const version = packageVersion();

// `shipyaml --version` answers before anything else runs (bin.cjs answers it sooner still).
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

type Body = (ctx: import('../app/run-command.js').CommandContext) => Promise<import('../app/run-command.js').CommandOutcome | void>;

async function run(command: string, cmd: Command, body: Body): Promise<void> {
  const opts = cmd.optsWithGlobals<GlobalOptions & { color?: boolean }>();
  const { runCommand } = await import('../app/run-command.js');
  process.exitCode = await runCommand(command, opts, body);
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function buildProgram(): Command {
  const program = new Command('shipyaml')
    .description('Atomic symlink deploys from a deploy.yml: releases/, shared/, a one-rename switch, one-command rollback.')
    .version(version, '-V, --version')
    .option('-c, --config <file>', 'use this config file instead of searching for deploy.yml')
    .option('--host <name>', 'only this host (repeatable)', collect)
    .option('--role <role>', 'only hosts with this role (repeatable)', collect)
    .option('--var <name=value>', 'set a var (repeatable)', collect)
    .option('--json', 'one JSON event per line on stdout (for CI and tools)')
    .option('--verbose', 'show every command and its output')
    .option('--no-color', 'no colour in output')
    .option('--wait-lock <duration>', 'wait this long (e.g. 30s, 5m) for a lock another deploy holds')
    .option('--accept-new-host-keys', 'trust and record host keys not yet in known_hosts (like OpenSSH accept-new)')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run `shipyaml --help` for the commands)')
    .exitOverride();

  const example = (c: Command, text: string) => c.addHelpText('after', `\nExample:\n  ${text}\n`);

  example(
    program
      .command('init')
      .description('write a commented deploy.yml for the app in this directory')
      .addOption(new Option('--recipe <name>', 'app kind').choices(['laravel', 'node', 'static']))
      .option('--deploy-to <path>', 'deploy_to of the production stage')
      .option('--build <dir>', 'the build directory to upload')
      .option('--force', 'replace an existing deploy.yml')
      .action(async (o, cmd: Command) => {
        const { initCommand } = await import('../app/init.js');
        await run('init', cmd, (ctx) => initCommand(ctx, { ...o, host: cmd.optsWithGlobals().host?.[0] }));
      }),
    'shipyaml init --recipe laravel --host web1.example.com',
  );
  example(
    program
      .command('validate [stage]')
      .description('check the config (schema, rules, templates); exit 2 with file:line:col errors')
      .action(async (stage: string | undefined, _o, cmd: Command) => {
        const { validateCommand } = await import('../app/validate.js');
        await run('validate', cmd, (ctx) => validateCommand(ctx, stage));
      }),
    'shipyaml validate production',
  );
  const stageCommand = (name: string, description: string, ex: string, load: () => Promise<(ctx: any, stage: string, ...rest: any[]) => Promise<any>>, extra?: (c: Command) => Command, rest?: (o: any, cmd: Command) => unknown[]) => {
    let c = program.command(`${name} <stage>`).description(description);
    if (extra) c = extra(c);
    c.action(async (stage: string, o: unknown, cmd: Command) => {
      const fn = await load();
      await run(name, cmd, (ctx) => fn(ctx, stage, ...(rest ? rest(o, cmd) : [])));
    });
    example(c, ex);
  };
  stageCommand('plan', 'print every step and rendered command per host; connects nowhere', 'shipyaml plan production', async () => (await import('../app/plan.js')).planCommand);
  stageCommand('setup', 'create the server layout once (shared/ with the group and mode 2775)', 'shipyaml setup production', async () => (await import('../app/maintenance.js')).setupCommand);
  stageCommand('doctor', 'check each host: host key, login, permissions trap, disk, tar, locks', 'shipyaml doctor production', async () => (await import('../app/doctor.js')).doctorCommand);
  stageCommand(
    'deploy',
    'lock, upload a new release, link shared/, hooks, atomic switch, cleanup',
    'shipyaml deploy production',
    async () => (await import('../app/deploy.js')).deployCommand,
    (c) => c.option('--full', 'send the whole build, not only what changed since the last upload'),
    (o: { full?: boolean }) => [{ full: o.full === true }],
  );
  stageCommand(
    'rollback',
    'switch back to the previous successful release (or --to ID)',
    'shipyaml rollback production --to 20260415-093301',
    async () => (await import('../app/rollback.js')).rollbackCommand,
    (c) => c.option('--to <id>', 'the release to go back to'),
    (o: { to?: string }) => [o.to],
  );
  stageCommand('releases', 'list releases per host: id, live, revision, who, when, status', 'shipyaml releases production', async () => (await import('../app/releases.js')).releasesCommand);
  stageCommand('cleanup', 'apply retention now (also removes failed and rolled-back releases)', 'shipyaml cleanup production', async () => (await import('../app/maintenance.js')).cleanupCommand);
  stageCommand('unlock', 'remove a lock left by a killed deploy', 'shipyaml unlock production', async () => (await import('../app/maintenance.js')).unlockCommand);
  example(
    program
      .command('exec <stage> <command...>')
      .description('run a command on the stage\'s hosts (in current/), output grouped per host')
      .action(async (stage: string, words: string[], _o, cmd: Command) => {
        const { execCommand } = await import('../app/maintenance.js');
        await run('exec', cmd, (ctx) => execCommand(ctx, stage, words.join(' ')));
      }),
    'shipyaml exec production -- php artisan about',
  );
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp();
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`shipyaml: internal error: ${e instanceof Error ? (process.argv.includes('--verbose') ? e.stack : e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}

// Not a top-level await: the bundle is CommonJS (see scripts/bundle.mjs). main() never rejects.
void main(process.argv);
