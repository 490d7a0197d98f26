// Before a git release is planned: every host updates its mirror and resolves the ref. They must
// agree on one commit — a branch pushed to while the hosts fetch must not put different code on
// different hosts — and that commit is what every host exports and what the log records.
import type { StageConfig } from '../config/stage-config.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';
import { gitFetchStep } from '../plan/build-plan.js';
import { parseFetchedCommit } from '../plan/git-steps.js';
import { mapSettled, rejections } from './parallel.js';
import type { Session } from './session.js';
import { StepError } from './step-error.js';
import { runStep } from './step-runner.js';

export async function fetchRevision(s: Session, stage: StageConfig): Promise<string> {
  const commits = new Map<string, string>();
  const results = await mapSettled(s.transports, s.parallel, async (t) => {
    const out = await runStep(t, 'prepare', gitFetchStep(stage, t.host)!, s);
    const commit = parseFetchedCommit(out);
    if (!commit) throw new ShipyamlError('E_STEP_FAILED', `fetch on ${t.host.name} printed no commit`, { host: t.host.name });
    commits.set(t.host.name, commit);
  });
  const errors = rejections(results);
  if (errors.length) throw errors.find((e) => e instanceof StepError) ?? errors[0];
  const distinct = new Set(commits.values());
  if (distinct.size !== 1) {
    throw new ShipyamlError('E_STEP_FAILED', `the ref resolved to ${distinct.size} different commits on the hosts: nothing was deployed`, {
      details: [...commits].map(([host, commit]) => `${host}: ${commit}`),
      hint: 'The branch moved while the hosts fetched it: deploy again, or set source.git.ref to a tag or commit.',
    });
  }
  return [...distinct][0]!;
}
