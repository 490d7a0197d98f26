import { identity } from './identity.js';
import type { StageConfig } from '../config/stage-config.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { hookSteps } from '../plan/build-plan.js';
import { layout } from '../plan/layout.js';
import { isReleaseId } from '../plan/release-id.js';
import { releaseStatuses, rollbackTarget, type LogEntry } from '../plan/server-state.js';
import { appendLog, switchCurrent } from '../plan/steps.js';
import { lockAll, unlockAll } from './locks.js';
import { mapSettled, rejections } from './parallel.js';
import { phase, type Session } from './session.js';
import { runStep } from './step-runner.js';

/** A usage error, checked before anything connects. */
export function checkRollbackTo(to: string | undefined): void {
  if (to !== undefined && !isReleaseId(to)) {
    throw new ShipyamlError('E_USAGE', `--to ${JSON.stringify(to)} is not a release id (YYYYMMDD-HHMMSS)`);
  }
}

/**
 * Switches every selected host to the previous good release (or `to`). Every host is checked
 * before any is switched: a release missing or bad on one host means no host moves.
 */
export async function rollback(s: Session, stage: StageConfig, to?: string): Promise<{ releaseId: string }> {
  checkRollbackTo(to);
  const locks = await phase(s, 'lock', () => lockAll(s, 'rollback'));
  try {
    const targets = new Map<string, { target: string; from?: string }>();
    const problems: string[] = [];
    for (const t of s.transports) {
      const st = locks.states.get(t.host.name)!;
      const status = releaseStatuses(st);
      const target = to ?? rollbackTarget(st);
      if (!target) problems.push(`${t.host.name}: no earlier successful release to go back to`);
      else if (status.get(target) !== 'ok') {
        const why = status.has(target) ? `is ${status.get(target)?.replace('_', ' ')}, not a successful release` : 'does not exist';
        problems.push(`${t.host.name}: release ${target} ${why}`);
      } else if (target === st.current) problems.push(`${t.host.name}: ${target} is already live`);
      else targets.set(t.host.name, { target, from: st.current });
    }
    const distinct = new Set([...targets.values()].map((x) => x.target));
    if (!problems.length && distinct.size > 1) {
      problems.push(...[...targets].map(([h, x]) => `${h}: would go to ${x.target}`));
      problems.unshift('the hosts disagree about the previous release; name one with --to ID');
    }
    if (problems.length) {
      throw new ShipyamlError('E_NO_RELEASE', 'rollback refused: nothing was switched', { details: problems });
    }
    const releaseId = [...distinct][0]!;
    // Not interruptible, and all or nothing: a host that fails to switch sends the others back.
    const quiet = { ...s, signal: undefined };
    const switched: typeof s.transports = [];
    await phase(s, 'switch', async () => {
      const errs = rejections(
        await mapSettled(s.transports, s.parallel, async (t) => {
          await runStep(t, 'switch', { name: 'switch', kind: 'command', cmd: switchCurrent(layout(t.host.deployTo), releaseId) }, quiet);
          switched.push(t);
        }),
      );
      if (errs.length) {
        await mapSettled(switched, s.parallel, async (t) => {
          const from = targets.get(t.host.name)?.from;
          if (from) await runStep(t, 'rollback', { name: 'switch_back', kind: 'command', cmd: switchCurrent(layout(t.host.deployTo), from) }, quiet);
        });
        throw errs[0];
      }
    });
    await phase(s, 'after_switch', async () => {
      const errs = rejections(
        await mapSettled(s.transports, s.parallel, async (t) => {
          const from = targets.get(t.host.name)?.from;
          for (const step of hookSteps(stage, t.host, layout(t.host.deployTo), 'after_rollback', releaseId, from)) await runStep(t, 'after_switch', step, s);
        }),
      );
      if (errs.length) throw errs[0];
    });
    await phase(s, 'finish', async () => {
      await mapSettled(s.transports, s.parallel, (t) => {
        const entry: LogEntry = {
          action: 'rollback',
          id: releaseId,
          from: targets.get(t.host.name)?.from,
          status: 'ok',
          ...identity(),
          time: new Date().toISOString(),
        };
        return runStep(t, 'finish', { name: 'log', kind: 'command', cmd: appendLog(layout(t.host.deployTo), entry) }, s);
      });
    });
    return { releaseId };
  } finally {
    await unlockAll(s, locks.taken, locks.token);
  }
}

