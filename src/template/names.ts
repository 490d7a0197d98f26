// The names every template can use besides the vars (DESIGN §3). `host` is an object: templates
// use host.name and host.roles.
export const BUILTIN_NAMES = [
  'release_path',
  'release_id',
  'current_path',
  'shared_path',
  'deploy_to',
  'previous_release_path',
  'stage',
  'app',
  'host',
  'host.name',
  'host.roles',
] as const;

export type BuiltinName = (typeof BUILTIN_NAMES)[number];

/** Block helpers templates may use; a var cannot take one of these names. (`log` is removed.) */
export const HELPER_NAMES = ['if', 'unless', 'each', 'with', 'lookup'] as const;

/** Words Handlebars reads as syntax or literals: a var with one of these names is unreachable. */
const SYNTAX_WORDS = ['this', 'else', 'true', 'false', 'null', 'undefined'];

/** Names a var may not have: they would hide a built-in or a helper, or could never be used. */
export const RESERVED_NAMES: readonly string[] = [...BUILTIN_NAMES.filter((n) => !n.includes('.')), ...HELPER_NAMES, ...SYNTAX_WORDS];
