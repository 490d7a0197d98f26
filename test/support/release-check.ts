// What a deploy left on a host, read from the test process (a local dir or an sshd host's
// root), and the check behind "current points to a complete release": every file of the build
// the release came from is there with the same bytes, and nothing else but the shared links.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** path -> sha1 of a file, or "link:TARGET" for a symlink; directories only through their content. */
export type Manifest = Map<string, string>;

export function manifest(root: string): Manifest {
  const out: Manifest = new Map();
  const walk = (rel: string, depth: number) => {
    if (depth > 50) throw new Error(`tree too deep at ${rel}`);
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      if (st.isSymbolicLink()) out.set(r, `link:${readlinkSync(join(root, r))}`);
      else if (st.isDirectory()) walk(r, depth + 1);
      else out.set(r, createHash('sha1').update(readFileSync(join(root, r))).digest('hex'));
    }
  };
  walk('', 0);
  return out;
}

/** The differences between two manifests, for a readable assertion ([] when equal). */
export function diffManifests(actual: Manifest, expected: Manifest, max = 10): string[] {
  const out: string[] = [];
  for (const [k, v] of expected) {
    if (!actual.has(k)) out.push(`missing ${k}`);
    else if (actual.get(k) !== v) out.push(`differs ${k}`);
  }
  for (const k of actual.keys()) if (!expected.has(k)) out.push(`unexpected ${k}`);
  return out.slice(0, max);
}

export interface DeployDir {
  /** Where deploy_to is, seen from the test process. */
  root: string;
}

export const liveLink = (root: string): string | undefined => {
  try {
    return readlinkSync(join(root, 'current'));
  } catch {
    return undefined;
  }
};

export const liveId = (root: string): string | undefined => liveLink(root)?.replace(/^releases\//, '');

export const releaseDirs = (root: string): string[] =>
  existsSync(join(root, 'releases')) ? readdirSync(join(root, 'releases')).sort() : [];

export const lockFile = (root: string): string | undefined => {
  const p = join(root, '.shipyaml/lock');
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
};

export interface LogLine {
  action: string;
  id: string;
  status: string;
  from?: string;
}

export function logLines(root: string): LogLine[] {
  const p = join(root, '.shipyaml/log.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

/**
 * Problems with `current` on one host, [] when it points to a complete release. `builds` maps
 * the VERSION label each build carries to the manifest of that build; `extra` is what the
 * release adds (the shared links).
 */
export function currentProblems(root: string, builds: ReadonlyMap<string, Manifest>, extra: Manifest = new Map()): string[] {
  const link = liveLink(root);
  if (link === undefined) return ['current is missing'];
  if (!/^releases\/\d{8}-\d{6}(-\d+)?$/.test(link)) return [`current points to ${link}`];
  const dir = join(root, link);
  if (!existsSync(dir)) return [`current points to ${link}, which does not exist`];
  const version = existsSync(join(dir, 'VERSION')) ? readFileSync(join(dir, 'VERSION'), 'utf8').trim() : undefined;
  const build = version === undefined ? undefined : builds.get(version);
  if (!build) return [`${link} has no VERSION of a known build (found ${JSON.stringify(version)})`];
  const expected = new Map([...build, ...extra]);
  return diffManifests(manifest(dir), expected).map((d) => `${link} (build ${version}): ${d}`);
}
