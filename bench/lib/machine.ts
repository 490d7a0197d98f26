// What the numbers were measured on.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  kernel: string;
  node: string;
  openssh: string;
  rsync: string;
  date: string;
  loadBefore: string;
  /** The shipyaml measured: version, commit, and whether src/ had uncommitted changes. */
  shipyaml: string;
}

function out(argv: string[]): string {
  try {
    const r = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5_000 });
    return r.trim();
  } catch (e) {
    // ssh -V writes to stderr
    const err = (e as { stderr?: string }).stderr;
    return (err ?? '').trim();
  }
}

export function machine(): Machine {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const sshV = spawnSync('ssh', ['-V'], { encoding: 'utf8', timeout: 5_000 });
  return {
    cpu: model,
    cores: cpus().length,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    node: process.version,
    openssh: `${sshV.stderr ?? ''}${sshV.stdout ?? ''}`.trim() || 'unknown',
    rsync: (out(['rsync', '--version']).split('\n')[0] ?? 'unknown').replace(/\s+/g, ' '),
    date: new Date().toISOString(),
    loadBefore: readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' '),
    shipyaml: shipyamlVersion(),
  };
}

function shipyamlVersion(): string {
  const repo = new URL('../..', import.meta.url).pathname;
  const version = (JSON.parse(readFileSync(`${repo}package.json`, 'utf8')) as { version: string }).version;
  const commit = out(['git', '-C', repo, 'rev-parse', '--short', 'HEAD']);
  const dirty = out(['git', '-C', repo, 'status', '--porcelain', '--', 'src']) !== '';
  return `${version} at ${commit}${dirty ? ' (+ uncommitted changes in src/)' : ''}`;
}
