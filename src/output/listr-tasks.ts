import type { ListrDefaultRenderer, ListrTask, ListrTaskWrapper } from 'listr2';
import type { HostProgress, PhaseProgress, ProgressModel } from './progress-model.js';
import type { Style } from './style.js';
import { hostOutput, hostTitle, isCollapsed, phaseOutput, phaseTitle } from './tty-titles.js';

// listr2 tasks that only wait: each ends when the event that ends its phase or host arrives (the
// model's deferreds), so the runner never runs inside listr2 and a failed phase is a failed task,
// never an exception escaping listr2 (every list has exitOnError false).

type Task = ListrTask<object, ListrDefaultRenderer, ListrDefaultRenderer>;
type Wrapper = ListrTaskWrapper<object, ListrDefaultRenderer, ListrDefaultRenderer>;

class TaskFailed extends Error {}

export interface ListrTasks {
  /** The root list's only task: the chain of phases. */
  root: Task;
  /** Copies the model into the running tasks' titles and output lines. */
  refresh(): void;
}

export function createListrTasks(model: ProgressModel, o: { now: () => number; redact: (s: string) => string; style: Style }): ListrTasks {
  const phaseTasks = new Map<PhaseProgress, Wrapper>();
  const hostTasks = new Map<HostProgress, Wrapper>();
  const { now, style } = o;
  const safe = o.redact;

  const set = (t: Wrapper, title: string, output?: string) => {
    if (t.title !== safe(title)) t.title = safe(title);
    if (output !== undefined && (t.output ?? '') !== safe(output)) t.output = safe(output);
  };

  const refresh = () => {
    const at = now();
    for (const [p, t] of phaseTasks) if (!p.outcome) set(t, phaseTitle(p, at, style), phaseOutput(p, at));
    for (const [h, t] of hostTasks) if (!h.outcome) set(t, hostTitle(h, at, style), hostOutput(h, at));
  };

  const hostTask = (h: HostProgress): Task => ({
    title: safe(hostTitle(h, now(), style) || h.host),
    task: async (_ctx, t) => {
      hostTasks.set(h, t);
      const outcome = await h.settled.promise;
      hostTasks.delete(h);
      const title = safe(hostTitle(h, now(), style));
      // listr2 shows a failed task's error message in place of its title.
      if (outcome === 'failed') throw new TaskFailed(title);
      t.title = title; // '' hides a host that had nothing to do in this phase
    },
  });

  // Untitled, so listr2 draws nothing for it: it fails the phase when the phase's event says so,
  // even if no host failed (a lock held elsewhere, an interrupt).
  const phaseGate = (p: PhaseProgress, phase: Wrapper): Task => ({
    task: async () => {
      const outcome = await p.settled.promise;
      if (outcome === 'failed') throw new TaskFailed(p.phase);
      if (outcome === 'skipped') phase.skip(safe(phaseTitle(p, now(), style)));
    },
  });

  const phaseTask = (p: PhaseProgress): Task => ({
    title: safe(phaseTitle(p, now(), style)),
    task: async (_ctx, t) => {
      phaseTasks.set(p, t);
      const finish = async () => {
        const outcome = await p.settled.promise;
        phaseTasks.delete(p);
        set(t, phaseTitle(p, now(), style), '');
        return outcome;
      };
      if (p.outcome === 'skipped' || isCollapsed(p)) {
        const outcome = await finish();
        if (outcome === 'failed') throw new TaskFailed(safe(phaseTitle(p, now(), style)));
        if (outcome === 'skipped') t.skip(safe(phaseTitle(p, now(), style)));
        return;
      }
      void finish();
      // A failed host must not stop the other hosts' lines; a failed host or gate marks the
      // phase failed (the reporter gives that state listr2's ✖).
      return t.newListr([...[...p.hosts.values()].map(hostTask), phaseGate(p, t)], { concurrent: true, exitOnError: false });
    },
  });

  // listr2 runs the tasks a list had when it started; phases begin later, one at a time. Each
  // link is an untitled task (drawn at its parent's level) that waits for the next phase and
  // then holds that phase and the following link, so the phases appear as one flat list.
  const link = (i: number): Task => ({
    task: async (_ctx, t) => {
      const p = await model.phaseAt(i);
      if (!p) return;
      return t.newListr([phaseTask(p), link(i + 1)], { concurrent: true, exitOnError: false });
    },
  });

  return { root: link(0), refresh };
}
