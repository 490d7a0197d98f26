import type { StageConfig } from '../config/stage-config.js';
import { ShipyamlError } from '../errors/shipyaml-error.js';

/** `--host` and `--role` narrow a stage to a subset; naming nothing that exists is an error. */
export function selectHosts(stage: StageConfig, hosts: readonly string[] = [], roles: readonly string[] = []): StageConfig {
  let selected = stage.hosts;
  if (hosts.length) {
    const unknown = hosts.filter((h) => !stage.hosts.some((x) => x.name === h));
    if (unknown.length) {
      throw new ShipyamlError('E_USAGE', `--host ${unknown.join(', ')}: no such host in stage ${stage.stage}`, {
        hint: `The stage's hosts are: ${stage.hosts.map((h) => h.name).join(', ')}`,
      });
    }
    selected = selected.filter((h) => hosts.includes(h.name));
  }
  if (roles.length) {
    selected = selected.filter((h) => h.roles.some((r) => roles.includes(r)));
    if (!selected.length) {
      const all = [...new Set(stage.hosts.flatMap((h) => h.roles))];
      throw new ShipyamlError('E_USAGE', `--role ${roles.join(', ')}: no host of stage ${stage.stage} has that role`, {
        hint: all.length ? `The roles in this stage are: ${all.join(', ')}` : 'No host in this stage has roles.',
      });
    }
  }
  return { ...stage, hosts: selected };
}
