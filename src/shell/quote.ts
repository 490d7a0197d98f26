// The one place where a value is made safe for a POSIX shell. Single quotes keep everything
// literal in sh, dash, bash and busybox; a quote inside is closed, escaped and reopened.
// (bash's $'…' is not used: dash rejects it.)
const SAFE = /^[A-Za-z0-9_\/.,:=+@%-]+$/;

export function quote(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}
