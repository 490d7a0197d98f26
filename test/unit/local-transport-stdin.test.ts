// A failing stdin source (the tar writer finding the build changed) fails the local step with
// its own error, and stops the command instead of leaving it waiting for input.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ShipyamlError } from '../../src/errors/shipyaml-error.js';
import { script } from '../../src/shell/cmd.js';
import { LocalTransport } from '../../src/transport/local.js';

describe('LocalTransport stdin', () => {
  it('rejects with the source error and ends the command', async () => {
    const t = new LocalTransport({ name: 'local', local: true } as never);
    async function* chunks() {
      yield Buffer.from('first part\n');
      throw new ShipyamlError('E_BUILD', 'public/app.js changed while it was being uploaded');
    }
    const started = Date.now();
    const run = t.exec(script('cat > /dev/null; sleep 5'), { stdin: Readable.from(chunks()) });
    await expect(run).rejects.toThrow('public/app.js changed while it was being uploaded');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('feeds a healthy source through to the command', async () => {
    const t = new LocalTransport({ name: 'local', local: true } as never);
    const r = await t.exec(script('wc -c'), { stdin: Readable.from([Buffer.from('12345')]) });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('5');
  });
});
