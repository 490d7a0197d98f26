// Secrets are removed at output, not at planning: commands must run with the real values.
// Every renderer and error printer passes text through a Redactor built from the config.
export interface Redactor {
  (text: string): string;
}

export const MASK = '••••••';

export function createRedactor(secrets: Iterable<string>): Redactor {
  const values = [...new Set([...secrets].filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (t) => t;
  const variants = new Set<string>();
  for (const v of values) {
    variants.add(v);
    // The quoted form a command carries differs from the raw value when it holds a quote.
    variants.add(v.replace(/'/g, `'\\''`));
    variants.add(JSON.stringify(v).slice(1, -1));
  }
  const pattern = new RegExp([...variants].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, MASK);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
