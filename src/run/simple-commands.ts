import type { StageConfig } from '../config/stage-config.js';
import { layout } from '../plan/layout.js';
import { forceUnlock, setupLayout } from '../plan/steps.js';
import { script, type Cmd } from '../shell/cmd.js';
import { quote } from '../shell/quote.js';
import type { Phase } from './events.js';
import { mapSettled, rejections } from './parallel.js';
import { phase, type Session } from './session.js';
import { runStep } from './step-runner.js';
import type { Transport } from '../transport/transport.js';

/** Runs one command per host, all hosts in parallel, as one phase; throws the first failure. */
async function onEveryHost(s: Session, p: Phase, name: string, cmdFor: (t: Transport) => Cmd): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await phase(s, p, async () => {
    const errs = rejections(
      await mapSettled(s.transports, s.parallel, async (t) => {
        const r = await runStep(t, p, { name, kind: 'command', cmd: cmdFor(t) }, s);
        out.set(t.host.name, r);
      }),
    );
    if (errs.length) throw errs[0];
  });
  // In the stage's host order, not the order the hosts happened to finish in.
  return new Map(s.transports.map((t) => [t.host.name, out.get(t.host.name) ?? '']));
}

export const setup = (s: Session, stage: StageConfig) =>
  onEveryHost(s, 'prepare', 'setup', (t) => setupLayout(layout(t.host.deployTo), stage.shared));

export const unlock = (s: Session) => onEveryHost(s, 'finish', 'unlock', (t) => forceUnlock(layout(t.host.deployTo)));

/** `exec STAGE -- CMD`: the user's own command, run in `current` (or deploy_to before a deploy). */
export const execOnHosts = (s: Session, command: string) =>
  onEveryHost(s, 'after_switch', 'exec', (t) => {
    const l = layout(t.host.deployTo);
    return script(`cd ${quote(l.current)} 2>/dev/null || cd ${quote(l.root)}\n${command}`);
  });
