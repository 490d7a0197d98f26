import { layout } from '../plan/layout.js';
import { releasesToRemove } from '../plan/retention.js';
import { removeReleases } from '../plan/steps.js';
import { lockAll, unlockAll } from './locks.js';
import { mapSettled, rejections } from './parallel.js';
import { phase, type Session } from './session.js';
import { runStep } from './step-runner.js';

/** Applies retention now, and also removes failed, rolled-back and partial releases. */
export async function cleanup(s: Session, keepReleases: number): Promise<Record<string, string[]>> {
  const locks = await phase(s, 'lock', () => lockAll(s, 'cleanup'));
  const removed: Record<string, string[]> = {};
  try {
    await phase(s, 'finish', async () => {
      const errs = rejections(
        await mapSettled(s.transports, s.parallel, async (t) => {
          const ids = releasesToRemove({ state: locks.states.get(t.host.name)!, keepReleases, purgeKept: true });
          removed[t.host.name] = ids;
          if (ids.length) await runStep(t, 'finish', { name: 'cleanup', kind: 'command', cmd: removeReleases(layout(t.host.deployTo), ids) }, s);
        }),
      );
      if (errs.length) throw errs[0];
    });
  } finally {
    await unlockAll(s, locks.taken, locks.token);
  }
  return removed;
}
