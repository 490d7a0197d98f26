// Release ids are UTC YYYYMMDD-HHMMSS with an optional -N suffix on a same-second clash. Order
// comes from the id (never from mtimes), so every comparison goes through compareIds.
const ID = /^(\d{8}-\d{6})(?:-(\d{1,4}))?$/;

export function isReleaseId(name: string): boolean {
  return ID.test(name);
}

export function formatReleaseId(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`
  );
}

export function compareIds(a: string, b: string): number {
  const ma = ID.exec(a);
  const mb = ID.exec(b);
  if (!ma || !mb) return a < b ? -1 : a > b ? 1 : 0;
  if (ma[1] !== mb[1]) return ma[1]! < mb[1]! ? -1 : 1;
  return Number(ma[2] ?? 1) - Number(mb[2] ?? 1);
}

/**
 * A fresh id, unique on every host: the clock's second, bumped past any id that a host already
 * has (a same-second redeploy, or a host whose clock runs ahead).
 */
export function nextReleaseId(date: Date, existing: Iterable<string>): string {
  const base = formatReleaseId(date);
  const taken = new Set(existing);
  let newest: string | undefined;
  for (const id of taken) if (isReleaseId(id) && (newest === undefined || compareIds(id, newest) > 0)) newest = id;
  let candidate = base;
  if (newest !== undefined && compareIds(candidate, newest) <= 0) {
    // Never go backwards: order is by id, so a new release must sort after every existing one.
    const m = ID.exec(newest)!;
    candidate = `${m[1]}-${Number(m[2] ?? 1) + 1}`;
  }
  for (let n = 2; taken.has(candidate) && n < 10000; n++) candidate = `${base}-${n}`;
  return candidate;
}
