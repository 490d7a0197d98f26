// Reads the ssh config text that OpenSSH would read: `ssh.config_file` alone when deploy.yml
// names one (like `ssh -F`), otherwise ~/.ssh/config then /etc/ssh/ssh_config. `Include` lines
// are expanded in place (the `ssh-config` package does not follow them).
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { ShipyamlError } from '../errors/shipyaml-error.js';

const MAX_INCLUDE_DEPTH = 16; // OpenSSH's READCONF_MAX_DEPTH
const MAX_INCLUDED_FILES = 256;

export async function loadSshConfigText(opts: { configFile?: string; home: string }): Promise<string> {
  const budget = { files: MAX_INCLUDED_FILES };
  if (opts.configFile !== undefined) {
    const text = await readFile(opts.configFile, 'utf8').catch(() => {
      throw new ShipyamlError('E_CONFIG', `ssh.config_file ${opts.configFile} cannot be read`, {
        hint: 'Point ssh.config_file at an existing ssh config file (relative paths are from deploy.yml).',
      });
    });
    return expandIncludes(text, join(opts.home, '.ssh'), opts.home, 0, budget);
  }
  const user = await readFile(join(opts.home, '.ssh', 'config'), 'utf8').catch(() => '');
  const system = await readFile('/etc/ssh/ssh_config', 'utf8').catch(() => '');
  const userText = await expandIncludes(user, join(opts.home, '.ssh'), opts.home, 0, budget);
  const systemText = await expandIncludes(system, '/etc/ssh', opts.home, 0, budget);
  // "Host *" closes whatever block the user file ended in, so the system file's top-level lines
  // stay top-level. The first value obtained wins, so user settings still come first.
  return `${userText}\nHost *\n${systemText}`;
}

/**
 * Replaces each `Include` with the files it names (sorted, as OpenSSH globs them). Inside a
 * Host/Match block the included lines belong to that block; the block's header is repeated
 * after them so the lines that follow stay in it.
 */
async function expandIncludes(
  text: string,
  relativeTo: string,
  home: string,
  depth: number,
  budget: { files: number },
): Promise<string> {
  if (depth > MAX_INCLUDE_DEPTH) {
    throw new ShipyamlError('E_CONFIG', `ssh config: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?)`);
  }
  const out: string[] = [];
  let header = 'Host *';
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(Host|Match)[\s=]/i.test(line)) header = line.trim();
    const m = /^\s*Include[\s=]+(.+?)\s*$/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    for (const pattern of splitArgs(m[1]!)) {
      const expanded = pattern.startsWith('~/') ? join(home, pattern.slice(2)) : pattern;
      const full = isAbsolute(expanded) ? expanded : join(relativeTo, expanded);
      for (const file of await globFiles(full)) {
        if (--budget.files < 0) throw new ShipyamlError('E_CONFIG', `ssh config: more than ${MAX_INCLUDED_FILES} included files`);
        const inner = await readFile(file, 'utf8').catch(() => '');
        out.push(await expandIncludes(inner, relativeTo, home, depth + 1, budget));
        out.push(header);
      }
    }
  }
  return out.join('\n');
}

function splitArgs(value: string): string[] {
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) args.push(m[1] ?? m[2]!);
  return args;
}

/** `*` and `?` in the last path component only (the common `config.d/*` form). */
async function globFiles(path: string): Promise<string[]> {
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const dir = dirname(path);
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((e) => re.test(e) && !e.startsWith('.'))
    .sort()
    .map((e) => join(dir, e));
}
