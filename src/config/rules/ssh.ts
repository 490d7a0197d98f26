// A zero connect timeout would fail every connection before it starts.
import { parseDuration } from '../duration.js';
import type { StageRule } from './context.js';

export const sshRule: StageRule = (stage) => {
  const t = stage.ssh.connect_timeout;
  if (t && parseDuration(t.value as string) === 0) return [{ path: t.path, message: 'must be longer than 0', found: { value: t.value } }];
  return [];
};
