import type { HostSpec, StageConfig } from '../config/stage-config.js';
import type { Cmd } from '../shell/cmd.js';
import type { Layout } from './layout.js';

/** One thing a host does, as data: a command, or a command fed with the build as a tar stream. */
export interface Step {
  /** Stable name shown in output: mkdir, upload, link_shared, a task name, switch… */
  name: string;
  kind: 'command' | 'upload';
  cmd: Cmd;
  /** The task behind a hook step (for failure messages). */
  task?: string;
  /**
   * Its stdout is data for shipyaml from the first section marker on (the server's state:
   * releases, log, the cache listing): kept, but not sent as output events, which would be
   * thousands of lines per host. Lines before it (the lock's "taken") are output as usual.
   */
  data?: boolean;
}

export interface HostPlan {
  host: HostSpec;
  layout: Layout;
  /** The release live before this deploy (what a failure leaves live and rollback goes to). */
  previous?: string;
  /** git sources: update the host's mirror and resolve the ref (before prepare, on every host). */
  fetch?: Step;
  prepare: Step[];
  switch: Step;
  afterSwitch: Step[];
  healthcheck?: Step;
  /** Undo of prepare: the new release removed. */
  discard: Step;
  /** Undo of switch: back to `previous` (absent on a first deploy: nothing to go back to). */
  switchBack?: Step;
  afterRollback: Step[];
}

export interface DeployPlan {
  stage: StageConfig;
  releaseId: string;
  hosts: HostPlan[];
}
