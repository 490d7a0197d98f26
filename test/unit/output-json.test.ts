import { describe, expect, test } from 'vitest';
import { createReporter } from '../../src/output/index.js';
import type { RunEvent } from '../../src/run/events.js';
import { capture, feed } from './fixtures/output-capture.js';
import { failedDeploy, MIGRATE_FAILURE } from './fixtures/output-events.js';

describe('--json', () => {
  test('one JSON object per line, exactly the events, nothing else (no blocks, no summary)', async () => {
    const out = capture({ tty: true }); // even on a terminal
    const events = failedDeploy();
    await feed(createReporter({ mode: 'json', stream: out.stream, env: { FORCE_COLOR: '1' } }), events);
    const writes = out.writes.filter(Boolean);
    expect(writes).toHaveLength(events.length);
    for (const w of writes) expect(w).toMatch(/^\{.*\}\n$/);
    expect(writes.map((w) => JSON.parse(w) as RunEvent)).toEqual(events);
    expect(out.text()).not.toContain('\x1b');
  });

  test('redacts every string value, and the line stays valid JSON', async () => {
    const secret = 'p"a\\ss';
    const out = capture();
    const redact = (s: string) => s.replaceAll(secret, '••••••');
    const r = createReporter({ mode: 'json', stream: out.stream, redact });
    r.emit({ type: 'failure', time: '2026-04-15T10:15:00.000Z', failure: { ...MIGRATE_FAILURE, command: `PASS=${secret} x`, stderrTail: [`bad ${secret}`] } });
    await r.close();
    const parsed = JSON.parse(out.text()) as Extract<RunEvent, { type: 'failure' }>;
    expect(parsed.failure.command).toBe('PASS=•••••• x');
    expect(parsed.failure.stderrTail).toEqual(['bad ••••••']);
    expect(out.text()).not.toContain('a\\\\ss');
  });
});
