// A non-root login on every host without touching the machine: each host's mount namespace
// bind-mounts its own /etc/passwd and /etc/group, copies of the real ones plus a `deploy` user
// (in its own group and in www-data). Root bypasses permission checks and sshd refuses
// "signal" requests for root sessions, so tests of permissions and aborts need this user.
import { chown, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DeployUser {
  name: string;
  uid: number;
  gid: number;
  /** Supplementary group, as a web server's group would be. */
  webGroup: string;
}

export const DEPLOY_NAME = 'deploy';
const WEB_GROUP = 'www-data';

/** A uid/gid free on this machine, so files it owns never look like a real user's. */
export async function pickDeployUser(): Promise<DeployUser> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const group = await readFile('/etc/group', 'utf8');
  const used = new Set([...ids(passwd, 2), ...ids(group, 2)]);
  let id = 2000;
  for (let i = 0; i < 10_000 && used.has(id); i++) id++;
  return { name: DEPLOY_NAME, uid: id, gid: id, webGroup: WEB_GROUP };
}

/** Writes passwd/group for one host (home = that host's HOME) and hands the home to the user. */
export async function writeAccounts(dir: string, home: string, user: DeployUser): Promise<{ passwd: string; group: string }> {
  const passwdPath = join(dir, 'passwd');
  const groupPath = join(dir, 'group');
  const passwd = (await readFile('/etc/passwd', 'utf8'))
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith(`${user.name}:`));
  passwd.push(`${user.name}:x:${user.uid}:${user.gid}:shipyaml test deploy user:${home}:/bin/sh`);
  let hasWeb = false;
  const group = (await readFile('/etc/group', 'utf8'))
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith(`${user.name}:`))
    .map((l) => {
      if (!l.startsWith(`${user.webGroup}:`)) return l;
      hasWeb = true;
      const members = l.split(':')[3] ?? '';
      return `${l.split(':').slice(0, 3).join(':')}:${members ? `${members},` : ''}${user.name}`;
    });
  if (!hasWeb) group.push(`${user.webGroup}:x:33:${user.name}`);
  group.push(`${user.name}:x:${user.gid}:`);
  await writeFile(passwdPath, `${passwd.join('\n')}\n`, { mode: 0o644 });
  await writeFile(groupPath, `${group.join('\n')}\n`, { mode: 0o644 });
  await chown(home, user.uid, user.gid);
  return { passwd: passwdPath, group: groupPath };
}

function ids(text: string, field: number): number[] {
  return text
    .split('\n')
    .map((l) => Number(l.split(':')[field]))
    .filter((n) => Number.isInteger(n));
}
