// vitest globalSetup: the test run's temp files (apps, configs, homes: every mkdtemp under
// os.tmpdir()) go under one directory, removed when the run ends. A run used to leave ~300
// directories in /tmp. TMPDIR set here reaches the test workers and the CLIs they start. The
// sshd harness keeps its own base (/var/tmp) and removes its directories itself.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'shipyaml-test-run-'));
  // Readable by the test accounts that a harness host logs in as, like /tmp itself.
  chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
