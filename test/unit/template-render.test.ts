// Templates: strict names with the location of the template, built-in names, helpers and scoping.
import { describe, expect, it } from 'vitest';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { BUILTIN_NAMES, checkTemplate, renderTemplate, templateIssues } from '../../src/template/index.js';

const WHERE = { what: 'tasks.migrate.run', location: { file: 'deploy.yml', line: 12, col: 10 } };

function caught(fn: () => unknown): ShipyamlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ShipyamlError) return e;
    throw e;
  }
  throw new Error('expected a ShipyamlError');
}

const CONTEXT = {
  release_path: '/srv/a/releases/20260101-000000',
  release_id: '20260101-000000',
  current_path: '/srv/a/current',
  shared_path: '/srv/a/shared',
  deploy_to: '/srv/a',
  previous_release_path: '',
  stage: 'production',
  app: 'demo',
  host: { name: 'web1', roles: ['web', 'db'] },
  php_fpm: 'php8.3-fpm',
};

describe('built-in names', () => {
  it('are the names of DESIGN §3', () => {
    expect([...BUILTIN_NAMES]).toEqual([
      'release_path', 'release_id', 'current_path', 'shared_path', 'deploy_to', 'previous_release_path',
      'stage', 'app', 'host', 'host.name', 'host.roles',
    ]);
  });

  it('all render from a plan context', () => {
    const t = BUILTIN_NAMES.filter((n) => n !== 'host').map((n) => `{{${n}}}`).join('|');
    expect(renderTemplate(t, CONTEXT, WHERE)).toBe(
      "/srv/a/releases/20260101-000000|20260101-000000|/srv/a/current|/srv/a/shared|/srv/a|''|production|demo|web1|web db",
    );
  });

  it('renders a var next to built-ins', () => {
    expect(renderTemplate('sudo systemctl reload {{php_fpm}} # {{host.name}}', CONTEXT, WHERE)).toBe('sudo systemctl reload php8.3-fpm # web1');
  });
});

describe('unknown names', () => {
  it('throw E_TEMPLATE naming the name, the template and its place in deploy.yml', () => {
    const e = caught(() => renderTemplate('./artisan migrate --{{php_fmp}}', CONTEXT, WHERE));
    expect(e.code).toBe('E_TEMPLATE');
    expect(e.exit).toBe(2);
    expect(e.message).toBe('tasks.migrate.run uses unknown name "php_fmp"; did you mean "php_fpm"?');
    expect(e.location).toEqual({ file: 'deploy.yml', line: 12, col: 10 });
  });

  it('are found inside {{#if}} conditions too, which strict mode alone misses', () => {
    const e = caught(() => renderTemplate('{{#if maintenance}}x{{/if}}', CONTEXT, WHERE));
    expect(e.message).toBe('tasks.migrate.run uses unknown name "maintenance"');
  });

  it('say which template line in a multi-line script, and list every one', () => {
    const e = caught(() => checkTemplate('cd {{release_path}}\n./run {{a}}\n./run {{b}}', ['release_path'], WHERE));
    expect(e.message).toBe('tasks.migrate.run uses unknown name "a" (template line 2)');
    expect(e.details).toEqual([
      'deploy.yml:12:10 tasks.migrate.run uses unknown name "a" (template line 2)',
      'deploy.yml:12:10 tasks.migrate.run uses unknown name "b" (template line 3)',
    ]);
  });

  it('include unknown fields of host', () => {
    expect(caught(() => renderTemplate('{{host.address}}', CONTEXT, WHERE)).message).toBe(
      'tasks.migrate.run uses unknown name "host.address" (host has host.name, host.roles)',
    );
  });

  it('checkTemplate works from names alone, before any value exists', () => {
    expect(() => checkTemplate('{{release_path}} {{host.name}} {{x}}', [...BUILTIN_NAMES, 'x'], WHERE)).not.toThrow();
    expect(caught(() => checkTemplate('{{y}}', [...BUILTIN_NAMES, 'x'], WHERE)).message).toBe('tasks.migrate.run uses unknown name "y"');
  });
});

describe('what templates may and may not do', () => {
  it.each([
    ['{{host}} alone', '{{host}}', 'prints "host", which is an object: use host.name or host.roles'],
    ['a partial', '{{> other}}', 'uses a partial ({{> …}}): partials are not supported'],
    ['an unknown block helper', '{{#repeat 3}}x{{/repeat}}', 'uses unknown block helper "repeat" (use if, unless, each or with)'],
    ['a var called like a helper', '{{php_fpm 1}}', 'calls "php_fpm" with arguments, but it is not a helper (helpers here: lookup)'],
    ['the removed log helper', '{{log "x"}}', 'calls "log" with arguments, but it is not a helper (helpers here: lookup)'],
    ['a bare name inside each', '{{#each host.roles}}{{release_path}}{{/each}}', 'uses "release_path" inside {{#each}} or {{#with}}, where names belong to the current item; write @root.release_path'],
  ])('%s', (_what, template, message) => {
    expect(templateIssues(template, [...BUILTIN_NAMES, 'php_fpm']).map((i) => i.message)).toEqual([message]);
  });

  it('reports a syntax error with a hint for a literal {{', () => {
    const [issue] = templateIssues('echo {{ oops', [...BUILTIN_NAMES]);
    expect(issue?.message).toMatch(/^is not a valid template \(Expecting .*\); write a literal \{\{ as \\\{\{$/);
  });

  it('supports if/unless/else, each with @index and this, block params and @root', () => {
    const t = '{{#if previous_release_path}}p{{else}}none{{/if}} {{#each host.roles as |r i|}}[{{i}}:{{r}}:{{@root.app}}]{{/each}} {{#each host.roles}}<{{this}}>{{/each}} {{#unless stage}}x{{/unless}}';
    expect(templateIssues(t, [...BUILTIN_NAMES])).toEqual([]);
    expect(renderTemplate(t, CONTEXT, WHERE)).toBe('none [0:web:demo][1:db:demo] <web><db> ');
  });

  it('renders a lookup with a quoted result', () => {
    expect(renderTemplate('{{lookup host "name"}}', CONTEXT, WHERE)).toBe('web1');
  });

  it('renders a list raw with spaces in {{{ }}}', () => {
    expect(renderTemplate('{{{host.roles}}}', CONTEXT, WHERE)).toBe('web db');
  });

  it('renders a literal \\{{ as text', () => {
    expect(renderTemplate('echo \\{{not a name}}', CONTEXT, WHERE)).toBe('echo {{not a name}}');
  });

  it('does not change how other Handlebars users escape', async () => {
    const { default: Handlebars } = await import('handlebars');
    renderTemplate('{{x}}', { x: "a'b" }, WHERE);
    expect(Handlebars.compile('{{x}}')({ x: "a'b" })).toBe('a&#x27;b');
  });
});
