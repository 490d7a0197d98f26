import { describe, expect, it } from 'vitest';
import { compareIds, formatReleaseId, isReleaseId, nextReleaseId } from '../../src/plan/release-id.js';

describe('release ids', () => {
  it('formats UTC YYYYMMDD-HHMMSS', () => {
    expect(formatReleaseId(new Date(Date.UTC(2026, 3, 15, 9, 33, 1)))).toBe('20260415-093301');
  });

  it.each([
    ['20260415-093301', true],
    ['20260415-093301-2', true],
    ['20260415-0933', false],
    ['../20260415-093301', false],
    ['20260415-093301; rm -rf /', false],
    ['current', false],
  ])('isReleaseId(%j) is %s', (id, ok) => expect(isReleaseId(id)).toBe(ok));

  it('orders by id, suffix numerically', () => {
    const ids = ['20260415-093301-10', '20260415-093301', '20260101-000000', '20260415-093301-2'];
    expect([...ids].sort(compareIds)).toEqual(['20260101-000000', '20260415-093301', '20260415-093301-2', '20260415-093301-10']);
  });

  const at = new Date(Date.UTC(2026, 3, 15, 9, 33, 1));
  it.each([
    [[], '20260415-093301'],
    [['20260415-093301'], '20260415-093301-2'],
    [['20260415-093301', '20260415-093301-2'], '20260415-093301-3'],
    // A host whose releases come from a clock that ran ahead: never go backwards.
    [['20270101-000000'], '20270101-000000-2'],
    [['20260101-000000'], '20260415-093301'],
  ])('next id after %j is %s', (existing, expected) => expect(nextReleaseId(at, existing)).toBe(expected));
});
