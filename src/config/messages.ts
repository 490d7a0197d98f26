// The words of config errors: per kind of value ($defs entry), per pattern, per JSON type.
// Phrased to follow a key path: "stages.production.hosts[0].port must be an integer".

const CONTROL_CHARS = 'must not contain control characters (newline, tab, NUL…)';

/** Messages by `<$defs name>/<keyword>`. */
export const BY_DEF: Record<string, string> = {
  'duration/pattern': 'must be a duration such as "500ms", "2s", "1.5m" or "1h"',
  'duration/type': 'must be a duration such as "500ms", "2s", "1.5m" or "1h"',
  'name/pattern': 'is not a valid name: use letters, digits and _, not starting with a digit',
  'stageName/pattern': 'is not a valid stage name: use letters, digits, _ and -, starting with a letter or digit',
  'envName/pattern': 'is not a valid environment variable name: use letters, digits and _, not starting with a digit',
  'hostName/pattern':
    'must be a host name, IP address or ssh alias (letters, digits, ".", "_", "-"; not starting with "-"); write user and port as { host: …, user: …, port: … }',
  'userName/pattern': 'must be a login name (letters, digits, ".", "_", "-"; not starting with "-" or a digit)',
  'path/pattern': CONTROL_CHARS,
  'hookEntry/pattern': 'must be a task name (letters, digits and _), or "!name" to remove a task a recipe runs at this hook',
  'gitText/pattern': 'must not start with "-" (git would read it as an option) or contain control characters',
  'source/not': 'sets both build and git: a release comes from one of them',
  'notBothRunAndUrl/not': 'sets both run and url: a healthcheck is a command or a URL',
  'healthcheck/not': 'must be a mapping (run or url, retries, interval, timeout), or false to turn the healthcheck off',
  'healthcheck/type': 'must be a mapping (run or url, retries, interval, timeout), or false to turn the healthcheck off',
  'host/type': 'must be a host name or a mapping such as { host: web1.example.com, port: 2222 }',
  'task/type': 'must be a shell script, or a mapping such as { run: "…", once: true }',
  'var/type': 'must be a string, number, true/false, or a mapping such as { env: NAME }',
  'stage/type': 'must be a mapping with at least hosts',
};

/** Messages for patterns used without a $defs entry. */
export const BY_PATTERN: Record<string, string> = {
  '^[^\\u0000-\\u001f\\u007f]+$': CONTROL_CHARS,
  '^[^\\u0000-\\u001f\\u007f]*$': CONTROL_CHARS,
  '^https?://': 'must be an http:// or https:// URL',
  '^[A-Za-z0-9_][A-Za-z0-9_-]*$': 'is not a valid role name: use letters, digits, _ and -',
  '^[A-Za-z_][A-Za-z0-9_.-]{0,31}$': 'must be a group name (letters, digits, ".", "_", "-")',
};

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

export function typePhrase(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}
