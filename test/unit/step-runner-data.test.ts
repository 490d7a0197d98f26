// A data step's stdout (the server's state) reaches the parser whole, however long, and is not
// sent as output events past its first section; a command's output is kept only up to a cap.
import { describe, expect, it } from 'vitest';
import { script } from '../../src/shell/cmd.js';
import { runSteps } from '../../src/run/step-runner.js';
import type { RunEvent } from '../../src/run/events.js';
import { LocalTransport } from '../../src/transport/local.js';

const t = new LocalTransport({ name: 'local', local: true } as never);
// 20,000 lines of 80 bytes: 1.6 MB, the cache listing of a 20,000-file build.
const lines = `echo shown; echo '@@shipyaml:cache_sums'; i=0; while [ $i -lt 20000 ]; do printf '%079d\\n' $i; i=$((i + 1)); done`;

describe('runSteps output', () => {
  it('keeps a data step whole and shows only what precedes its first section', async () => {
    const events: RunEvent[] = [];
    const [out] = await runSteps(t, 'lock', [{ name: 'lock', kind: 'command', data: true, cmd: script(lines) }], { emit: (e) => events.push(e), redact: (s) => s });
    expect(out!.split('\n').filter(Boolean)).toHaveLength(20002);
    expect(out!.trimEnd().endsWith(String(19999).padStart(79, '0'))).toBe(true);
    expect(events.filter((e) => e.type === 'output').map((e) => (e as { line: string }).line)).toEqual(['shown']);
  }, 60_000);

  it("caps a command's kept output and sends every line as an event", async () => {
    const events: RunEvent[] = [];
    const [out] = await runSteps(t, 'prepare', [{ name: 'hook', kind: 'command', cmd: script(lines) }], { emit: (e) => events.push(e), redact: (s) => s });
    expect(out!.length).toBeLessThan(600 * 1024);
    expect(events.filter((e) => e.type === 'output')).toHaveLength(20002);
  }, 60_000);
});
