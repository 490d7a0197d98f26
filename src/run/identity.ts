import { hostname, userInfo } from 'node:os';

/** Who runs this command, for locks and the log. Containers may have no passwd entry. */
export function identity(): { user: string; machine: string } {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* keep the environment's answer */
  }
  return { user, machine: hostname() };
}
