import { describe, expect, it } from 'vitest';
import { formatReleases } from '../../src/app/releases.js';

describe('the releases table', () => {
  const rows = [
    { id: '20260415-093301', hosts: ['web1', 'web2'], live: ['web1'], status: 'ok', revision: 'abcdef1234567', user: 'alice', time: '2026-04-15T09:33:01.000Z', ms: 4200 },
    { id: '20260412-084433', hosts: ['web1', 'web2'], live: ['web2'], status: 'ok', user: 'bob', time: '2026-04-12T08:44:33.000Z', ms: 3900 },
  ];

  it('shows hosts, live markers, revision, who, when, duration — and highlights hosts that disagree', () => {
    const text = formatReleases('production', ['web1', 'web2'], { rows, current: { web1: '20260415-093301', web2: '20260412-084433' }, locks: {} });
    const lines = text.split('\n');
    expect(lines[0]).toBe('stage production (2 hosts)');
    expect(lines[2]).toMatch(/^~\s+20260415-093301\s+all 2\s+live on web1\s+abcdef1234\s+alice\s+2026-04-15 09:33:01\s+4\.2s$/);
    expect(lines[3]).toMatch(/^~\s+20260412-084433\s+all 2\s+live on web2\s+bob/);
    expect(text).toContain('WARNING: hosts disagree about the live release:\n  web1: 20260415-093301\n  web2: 20260412-084433');
  });

  it('marks a release live on every host with * and says nothing about disagreement', () => {
    const text = formatReleases('production', ['web1'], { rows: [{ ...rows[0]!, hosts: ['web1'], live: ['web1'] }], current: { web1: '20260415-093301' }, locks: {} });
    expect(text).toMatch(/\n\*\s+20260415-093301\s+all 1\s+live/);
    expect(text).not.toContain('disagree');
  });
});
