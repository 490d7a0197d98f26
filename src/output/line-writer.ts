import { splitLines } from './text.js';

/**
 * Writes whole lines, each with one write() call, after redaction. Hosts run in parallel and
 * CI log collectors split on write boundaries, so a line written in pieces can be interleaved
 * with another host's line; one write per line cannot.
 */
export interface LineWriter {
  line(text: string): void;
  lines(texts: readonly string[]): void;
}

export function createLineWriter(stream: NodeJS.WritableStream, redact: (s: string) => string): LineWriter {
  const line = (text: string): void => {
    for (const piece of splitLines(text)) stream.write(`${redact(piece)}\n`);
  };
  return { line, lines: (texts) => texts.forEach(line) };
}

/** Resolves when what was written has been handed to the OS, or after `ms` at most. */
export function flushStream(stream: NodeJS.WritableStream, ms = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    try {
      stream.write('', () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
