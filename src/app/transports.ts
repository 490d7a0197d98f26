import type { StageConfig } from '../config/stage-config.js';
import type { TransportFactory } from '../run/session.js';
import { LocalTransport } from '../transport/local.js';

/** The only place that picks a transport. ssh2 is loaded only when a stage has remote hosts. */
export async function makeTransportFactory(stage: StageConfig, opts: { acceptNewHostKeys: boolean }): Promise<TransportFactory> {
  const remote = stage.hosts.some((h) => !h.local);
  if (!remote) return (host) => new LocalTransport(host);
  const { createSshTransport } = await import('../transport/ssh.js');
  const { RoundTrips } = await import('../transport/round-trips.js');
  const { promptPassphrase } = await import('./passphrase-prompt.js');
  // One per command: hosts at the same address share their round-trip estimate.
  const roundTrips = new RoundTrips();
  return (host) =>
    host.local
      ? new LocalTransport(host)
      : createSshTransport(host, {
          ...stage.ssh,
          acceptNewHostKeys: opts.acceptNewHostKeys,
          sshConfigFile: stage.ssh.configFile,
          passphrasePrompt: promptPassphrase,
          roundTrips,
        });
}
