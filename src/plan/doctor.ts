// `doctor`: one script per host that reports facts, and a pure judge that turns them into
// checks with a fix each. The script only reads; it changes nothing.
import { posix } from 'node:path';
import { quote } from '../shell/quote.js';
import type { Cmd } from '../shell/cmd.js';
import type { Layout } from './layout.js';
import { describeLock, parseLock, SECTION } from './server-state.js';
import { MARK } from './steps.js';

export function doctorScript(l: Layout, group: string | undefined): Cmd {
  const q = quote;
  const fact = (name: string, cmd: string) => `${MARK(name)}\n{ ${cmd}; } 2>/dev/null || true`;
  return {
    kind: 'script',
    strict: false,
    script: [
      fact('root_exists', `[ -d ${q(l.root)} ] && echo yes || echo no`),
      // Writable: deploy_to itself, or the nearest existing parent that setup would create it in.
      fact('writable', `d=${q(l.root)}; while [ ! -e "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; [ -w "$d" ] && echo "yes $d" || echo "no $d"`),
      fact('current', `if [ -L ${q(l.current)} ]; then echo link; elif [ -d ${q(l.current)} ]; then echo dir; elif [ -e ${q(l.current)} ]; then echo other; else echo none; fi`),
      fact('shared_ls', `ls -ld ${q(l.shared)}`),
      fact('user', `id -un`),
      fact('groups', `id -Gn`),
      fact('not_group_writable', `find ${q(l.shared)} -mindepth 1 ! -type l ! -perm -g+w -print | head -n 20`),
      fact('dirs_without_setgid', `find ${q(l.shared)} -type d ! -perm -2000 -print | head -n 20`),
      group ? fact('wrong_group', `find ${q(l.shared)} ! -type l ! -group ${q(group)} -print | head -n 20`) : MARK('wrong_group'),
      fact('df', `d=${q(l.root)}; while [ ! -e "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; df -Pk "$d" | tail -n 1`),
      fact('tar', `command -v tar`),
      fact('lock', `cat ${q(l.lock)}`),
    ].join('\n'),
  };
}

export interface DoctorCheck {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

function sections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur = '';
  for (const line of stdout.split('\n')) {
    const m = SECTION.exec(line);
    if (m) out.set((cur = m[1]!), []);
    else if (cur && line !== '') out.get(cur)!.push(line);
  }
  return out;
}

/** Judges the facts one host reported. */
export function judgeDoctor(
  stdout: string,
  l: Layout,
  opts: { group?: string; buildBytes?: number; sharedPaths: string[] },
): DoctorCheck[] {
  const s = sections(stdout);
  const one = (k: string) => s.get(k)?.[0]?.trim() ?? '';
  const list = (k: string) => s.get(k) ?? [];
  const checks: DoctorCheck[] = [];
  const rootExists = one('root_exists') === 'yes';
  const [w, wdir] = one('writable').split(' ');
  checks.push({
    check: 'deploy_to writable',
    ok: w === 'yes',
    detail: w === 'yes' ? `${wdir} is writable` : `${wdir ?? l.root} is not writable by ${one('user') || 'the deploy user'}`,
    fix: `sudo mkdir -p ${quote(l.root)} && sudo chown ${one('user') || 'deploy'} ${quote(l.root)}`,
  });
  const cur = one('current');
  checks.push({
    check: 'current is a symlink',
    ok: cur === 'link' || cur === 'none',
    detail: cur === 'none' ? 'no release yet' : cur === 'link' ? 'current is a symlink' : `current is a ${cur === 'dir' ? 'real directory' : 'file'}: the switch cannot be atomic`,
    fix: `move it away: mv ${quote(l.current)} ${quote(posix.join(l.releases, '00000000-000000'))}`,
  });
  const ls = one('shared_ls');
  if (!rootExists || !ls) {
    checks.push({ check: 'layout', ok: false, detail: `${l.shared} does not exist`, fix: 'run `shipyaml setup STAGE`' });
  } else {
    const mode = ls.split(/\s+/)[0] ?? '';
    const owner = ls.split(/\s+/)[3] ?? '';
    checks.push({
      check: 'shared/ setgid',
      ok: mode[6] === 's' && list('dirs_without_setgid').length === 0,
      detail: mode[6] === 's' && !list('dirs_without_setgid').length ? `${mode} (files created inside keep the group)` : `no setgid on ${[...new Set([mode[6] !== 's' ? l.shared : '', ...list('dirs_without_setgid')])].filter(Boolean).join(', ')}`,
      fix: `run \`shipyaml setup STAGE\` (or: find ${quote(l.shared)} -type d -exec chmod 2775 {} +)`,
    });
    if (opts.group) {
      checks.push({
        check: 'shared/ group',
        ok: owner === opts.group && list('wrong_group').length === 0,
        detail: owner === opts.group && !list('wrong_group').length ? `owned by group ${opts.group}` : `not group ${opts.group}: ${[owner !== opts.group ? `${l.shared} (${owner})` : '', ...list('wrong_group')].filter(Boolean).slice(0, 5).join(', ')}`,
        fix: `sudo chgrp -R ${quote(opts.group)} ${quote(l.shared)}`,
      });
      const groups = one('groups').split(/\s+/);
      checks.push({
        check: 'deploy user in the group',
        ok: groups.includes(opts.group),
        detail: groups.includes(opts.group) ? `${one('user')} is in ${opts.group}` : `${one('user')} is not in ${opts.group} (groups: ${groups.join(' ')})`,
        fix: `sudo usermod -aG ${quote(opts.group)} ${one('user') || 'deploy'}`,
      });
    }
    const ngw = list('not_group_writable');
    checks.push({
      check: 'shared/ writable by the web group',
      ok: ngw.length === 0,
      detail: ngw.length ? `the web server cannot write ${ngw.length >= 20 ? '20+' : ngw.length} path(s), e.g. ${ngw.slice(0, 3).join(', ')} (the umask-022 trap)` : 'every file is group-writable',
      fix: `chmod -R g+w ${quote(l.shared)} (and run the web server and deploys with umask 002)`,
    });
  }
  const df = one('df').split(/\s+/);
  const availKb = Number(df[3]);
  if (Number.isFinite(availKb) && opts.buildBytes !== undefined) {
    const need = Math.ceil((opts.buildBytes * 2) / 1024);
    checks.push({
      check: 'free disk space',
      ok: availKb >= need,
      detail: `${Math.round(availKb / 1024)} MB free, a release needs ${Math.max(1, Math.round(opts.buildBytes / 1048576))} MB`,
      fix: 'free space, or lower keep_releases and run `shipyaml cleanup STAGE`',
    });
  }
  checks.push({ check: 'tar present', ok: Boolean(one('tar')), detail: one('tar') || 'tar not found', fix: 'install tar (apt-get install tar)' });
  const lock = list('lock').join('\n');
  checks.push({
    check: 'no lock left behind',
    ok: !lock,
    detail: lock ? describeLock(parseLock(lock)) : 'not locked',
    fix: 'if that deploy is no longer running: `shipyaml unlock STAGE`',
  });
  return checks.map((c) => (c.ok ? { check: c.check, ok: true, detail: c.detail } : c));
}
