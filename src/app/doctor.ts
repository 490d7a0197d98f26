import { ShipyamlError } from '../errors/shipyaml-error.js';
import { EXIT } from '../errors/codes.js';
import { doctorScript, judgeDoctor, type DoctorCheck } from '../plan/doctor.js';
import { layout } from '../plan/layout.js';
import { now } from '../run/events.js';
import { mapSettled } from '../run/parallel.js';
import { phase } from '../run/session.js';
import { runStep } from '../run/step-runner.js';
import { measureBuild } from '../transfer/measure.js';
import { loadStage } from './open-stage.js';
import type { CommandContext, CommandOutcome } from './run-command.js';
import { makeTransportFactory } from './transports.js';

/**
 * `doctor STAGE`: connects to each host on its own (one unreachable host does not hide the
 * others' problems) and checks what makes deploys fail, each with its fix.
 */
export async function doctorCommand(ctx: CommandContext, stageName: string): Promise<CommandOutcome> {
  const stage = await loadStage(ctx, stageName);
  ctx.emit({ type: 'start', time: now(), command: 'doctor', stage: stage.stage, app: stage.app, hosts: stage.hosts.map((h) => h.name) });
  const factory = await makeTransportFactory(stage, { acceptNewHostKeys: ctx.opts.acceptNewHostKeys === true });
  const buildBytes = stage.source.kind === 'upload' ? await measureBuild(stage.source.build, stage.source.exclude) : undefined;
  const base = { emit: ctx.emit, redact: ctx.redact, parallel: stage.parallel, signal: ctx.signal };
  const report = new Map<string, DoctorCheck[]>();
  await phase(base, 'connect', async () => {
    await mapSettled(stage.hosts, stage.parallel, async (host) => {
      const t = factory(host);
      const checks: DoctorCheck[] = [];
      try {
        await t.connect();
        checks.push({ check: 'host key known and login works', ok: true, detail: t.kind === 'local' ? 'local target' : 'connected' });
        const l = layout(host.deployTo);
        const r = await runStep(t, 'connect', { name: 'doctor', kind: 'command', cmd: doctorScript(l, stage.shared.group) }, base);
        checks.push(...judgeDoctor(r, l, { group: stage.shared.group, buildBytes, sharedPaths: [...stage.shared.files, ...stage.shared.dirs] }));
      } catch (e) {
        const err = e instanceof ShipyamlError ? e : undefined;
        checks.push({
          check: err?.code.startsWith('E_HOST_KEY') ? 'host key known' : 'login works',
          ok: false,
          detail: e instanceof Error ? e.message : String(e),
          fix: err?.hint ?? 'check the host, port, user and key',
        });
      } finally {
        await t.close();
      }
      report.set(host.name, checks);
    });
  });
  const failed = [...report.values()].flat().filter((c) => !c.ok).length;
  const lines: string[] = [];
  for (const host of stage.hosts) {
    lines.push(`${host.name}  ${host.deployTo}`);
    for (const c of report.get(host.name) ?? []) {
      lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
      if (!c.ok && c.fix) lines.push(`       fix: ${c.fix}`);
    }
  }
  const print = lines.join('\n') + '\n';
  return {
    message: failed
      ? `doctor found ${failed} problem${failed === 1 ? '' : 's'}: apply the fixes shown, then run doctor again`
      : `doctor: every check passed on ${stage.hosts.length} host${stage.hosts.length === 1 ? '' : 's'}`,
    exitCode: failed ? EXIT.failed : EXIT.ok,
    print,
    data: Object.fromEntries(report),
  };
}
