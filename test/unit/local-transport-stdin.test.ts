// A failing stdin source (the tar writer finding the build changed) fails the local step with
// its own error, and stops the command instead of leaving it waiting for input.
import { describe, expect, it } from 'vitest';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { script } from '../../src/shell/cmd.js';
import { LocalTransport } from '../../src/transport/local.js';
import type { StdinSource } from '../../src/transport/transport.js';

describe('LocalTransport stdin', () => {
  it('rejects with the source error and ends the command', async () => {
    const t = new LocalTransport({ name: 'local', local: true } as never);
    const failing: StdinSource = {
      async writeTo(dest) {
        dest.write(Buffer.from('first part\n'));
        await new Promise((r) => setTimeout(r, 50));
        throw new ShipyamlError('E_BUILD', 'public/app.js changed while it was being uploaded');
      },
    };
    const started = Date.now();
    const run = t.exec(script('cat > /dev/null; sleep 5'), { stdin: failing });
    await expect(run).rejects.toThrow('public/app.js changed while it was being uploaded');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('feeds a healthy source through to the command', async () => {
    const t = new LocalTransport({ name: 'local', local: true } as never);
    const source: StdinSource = {
      async writeTo(dest) {
        dest.end(Buffer.from('12345'));
      },
    };
    const r = await t.exec(script('wc -c'), { stdin: source });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('5');
  });
});
