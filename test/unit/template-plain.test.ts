// Text without "{{" skips Handlebars (it is not even loaded for a config without templates); that
// is only sound if Handlebars itself would render such text unchanged and find nothing in it.
import { describe, expect, it } from 'vitest';
import { compileTemplate, isPlainText, templateEngine } from '../../src/template/engine.js';
import { renderTemplate, templateIssues } from '../../src/template/index.js';

const PLAIN = [
  '',
  'true',
  './artisan migrate --force',
  'echo "}}" \'{ x }\' {',
  'a \\ b \\\\ c \\{ d \\}} e',
  'ends with a backslash \\',
  'line one\nline two\r\nline three\n',
  'set -e\nif [ -f x ]; then\n  echo ${HOME} $((1 + 2)) `date`\nfi\n',
  '{ {x} } {x}} }}{ {',
  'unicode: ✓ — ü \u2028 \u0085 \uFEFF end',
  '"quotes" and \'single\' and `back`',
];

describe('plain text (no "{{")', () => {
  it.each(PLAIN)('renders unchanged, as Handlebars would: %j', (text) => {
    expect(isPlainText(text)).toBe(true);
    expect(compileTemplate(text)({})).toBe(text);
    expect(renderTemplate(text, { app: 'x' }, { what: 'tasks.t.run' })).toBe(text);
  });

  it.each(PLAIN)('has no issues, as Handlebars parses it: %j', (text) => {
    const body = templateEngine().parse(text).body;
    expect(body.every((s) => s.type === 'ContentStatement')).toBe(true);
    expect(templateIssues(text, [])).toEqual([]);
  });

  it('does not cover anything with a mustache, or a NUL (Handlebars rejects it)', () => {
    for (const t of ['{{x}}', 'a \\{{x}}', '{{{x}}}', 'x{{!-- c --}}', 'a\u0000b']) expect(isPlainText(t)).toBe(false);
    expect(templateIssues('a\u0000b', [])).toHaveLength(1);
  });

  it('agrees with Handlebars on random text made of its special characters', () => {
    const alphabet = ['{', '}', '\\', '\n', '\r', ' ', 'a', '!', '#', '/', '>', '&', '"', "'", '`', '\u0000', '~', '^', 'ü'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let plain = 0;
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      if (!isPlainText(text)) continue;
      plain++;
      expect(compileTemplate(text)({}), JSON.stringify(text)).toBe(text);
      expect(templateEngine().parse(text).body.every((s) => s.type === 'ContentStatement'), JSON.stringify(text)).toBe(true);
    }
    expect(plain).toBeGreaterThan(500);
  });
});
