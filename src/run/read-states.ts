import { layout } from '../plan/layout.js';
import { parseServerState, type ServerState } from '../plan/server-state.js';
import { lockAndReadState } from '../plan/steps.js';
import { mapSettled, rejections } from './parallel.js';
import type { Session } from './session.js';
import { runStep } from './step-runner.js';

/** Reads every host's state without locking and without creating anything. */
export async function readStates(s: Session): Promise<Map<string, ServerState>> {
  const states = new Map<string, ServerState>();
  const errs = rejections(
    await mapSettled(s.transports, s.parallel, async (t) => {
      const r = await runStep(t, 'lock', { name: 'read_state', kind: 'command', data: true, cmd: lockAndReadState(layout(t.host.deployTo), undefined) }, s);
      states.set(t.host.name, parseServerState(r));
    }),
  );
  if (errs.length) throw errs[0];
  return states;
}
