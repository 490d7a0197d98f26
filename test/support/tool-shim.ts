import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Puts a wrapper for /usr/bin/NAME (or /bin/NAME) first on PATH that logs every call, one line
 * each, and refuses the options matching the `case` pattern `refuse` (as busybox and BSD tools
 * refuse GNU options); returns the env to run with and the log file.
 */
export function toolShim(dir: string, name: string, refuse?: { option: string; complaint: string }): { env: Record<string, string>; log: string } {
  const bin = join(dir, 'shim-bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, `${name}.log`);
  const refusal = refuse ? `for a in "$@"; do case "$a" in ${refuse.option}) echo "${name}: ${refuse.complaint}" >&2; exit 64;; esac; done\n` : '';
  writeFileSync(
    join(bin, name),
    `#!/bin/sh\necho "${name} $*" >> '${log}'\n${refusal}for d in /usr/bin /bin; do [ -x "$d/${name}" ] && exec "$d/${name}" "$@"; done\nexit 127\n`,
  );
  chmodSync(join(bin, name), 0o755);
  return { env: { PATH: `${bin}:${process.env.PATH}` }, log };
}

/** How many times the shim logging to `log` was run. */
export function shimCalls(log: string): number {
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
}
