// Text -> yaml Document with positions. JSON is parsed the same way (JSON is YAML), so .json and
// package.json configs get file:line:col too. Refuses what a deploy config never is: huge files,
// binary content, alias bombs, several documents in one file.
import { LineCounter, isScalar, parseDocument, visit, type Document } from 'yaml';
import type { SourceLocation } from '../errors/shipyaml-error.js';
import type { Problem, Result } from './problems.js';
import { fail, ok } from './problems.js';

export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Enough for any real use of anchors; an alias bomb needs thousands. */
export const MAX_ALIAS_COUNT = 100;

export interface Parsed {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  value: unknown;
}

/** A parse problem has no key path, only a position: it goes first in the message line. */
function at(location: SourceLocation, message: string): Problem {
  return { path: [], message, location };
}

function positionOf(text: string, index: number, file: string): SourceLocation {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { file, line, col: index - before.lastIndexOf('\n') };
}

/** Size and encoding: cheap checks before the parser sees the text. */
export function checkText(text: string, file: string): Problem[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    return [at({ file, line: 1, col: 1 }, `is larger than ${MAX_CONFIG_BYTES / 1024} KB: not a deploy config`)];
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) return [at(positionOf(text, nul, file), 'contains a NUL byte: this is a binary file, not a deploy config')];
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) return [at(positionOf(text, bad, file), 'is not valid UTF-8 text')];
  return [];
}

/** "Map keys must be unique at line 2, column 1:\n\n<snippet>" -> "Map keys must be unique". */
function shortMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').replace(/; please use YAML\.parseAllDocuments\(\)/, '');
}

export function parseText(text: string, file: string): Result<Parsed> {
  const textProblems = checkText(text, file);
  if (textProblems.length > 0) return fail(textProblems);

  const lineCounter = new LineCounter();
  // logLevel 'error': yaml would print warnings to the console; they are reported below instead.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: true, logLevel: 'error' });
  const where = (pos: number): SourceLocation => ({ file, ...lineCounter.linePos(pos) });
  const problems: Problem[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const message = e.code === 'MULTIPLE_DOCS' ? 'holds more than one YAML document (---): keep one' : shortMessage(e.message);
    problems.push(at(where(e.pos[0]), message));
  }
  // A mapping or list used as a key has no place in a config and would be silently stringified.
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key) && typeof pair.key === 'object') {
        const range = (pair.key as { range?: [number, number, number] }).range;
        problems.push(at(where(range?.[0] ?? 0), 'uses a list or mapping as a key: keys must be plain names'));
      }
    },
  });
  if (problems.length > 0) return fail(problems);

  try {
    const value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return ok({ doc, lineCounter, value });
  } catch (e) {
    // yaml throws the same error type for a missing anchor and for an alias bomb.
    const unresolved = e instanceof ReferenceError ? /^Unresolved alias .*: (.+)$/.exec(e.message) : null;
    if (unresolved) {
      const name = unresolved[1]!;
      let pos = 0;
      visit(doc, {
        Alias(_, node) {
          if (node.source === name && node.range) {
            pos = node.range[0];
            return visit.BREAK;
          }
        },
      });
      return fail([at(where(pos), `uses the alias *${name}, but no anchor &${name} is set before it`)]);
    }
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      return fail([at(where(0), `expands aliases (*name) more than ${MAX_ALIAS_COUNT} times: refused as a possible alias bomb`)]);
    }
    return fail([at(where(0), e instanceof Error ? e.message : String(e))]);
  }
}
