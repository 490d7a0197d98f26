// JSON events are redacted value by value, before serialising: redacting the JSON text instead
// could cut through an escape sequence and produce invalid JSON.

export function redactDeep<T>(value: T, redact: (s: string) => string): T {
  return walk(value, redact) as T;
}

function walk(value: unknown, redact: (s: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, redact));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, redact);
    return out;
  }
  return value;
}
