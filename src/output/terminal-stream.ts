import { writeSync } from 'node:fs';

// Two things listr2 cannot be told through its options.

/**
 * The stream as listr2 sees it with --no-color: colour codes removed, cursor movement kept.
 * listr2 picks its colours from the process environment, not from an option.
 */
export function withoutColour(stream: NodeJS.WritableStream): NodeJS.WritableStream {
  const tty = stream as NodeJS.WritableStream & { columns?: number; rows?: number };
  const proxy = {
    isTTY: true,
    get columns() {
      return tty.columns;
    },
    get rows() {
      return tty.rows;
    },
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return (stream.write as (...a: unknown[]) => boolean).call(stream, text.replace(/\x1b\[[0-9;]*m/g, ''), ...rest);
    },
    on: stream.on.bind(stream),
    once: stream.once.bind(stream),
    off: stream.removeListener.bind(stream),
    removeListener: stream.removeListener.bind(stream),
  };
  return proxy as unknown as NodeJS.WritableStream;
}

/**
 * If the process exits while listr2 draws (a second Ctrl-C exits at once), hands the streams back
 * (`release`: listr2 prints what it held back meanwhile, such as the message saying what the
 * exit left behind) and shows the cursor again, straight to the file descriptor in case the
 * stream is still held. Returns the function that removes the guard.
 */
export function restoreTerminalOnExit(stream: NodeJS.WritableStream, release: () => void): () => void {
  const fd = (stream as { fd?: unknown }).fd;
  const restore = () => {
    try {
      release();
    } catch {
      // Best effort: the process is exiting.
    }
    if (typeof fd !== 'number') return;
    try {
      writeSync(fd, '\x1b[?25h');
    } catch {
      // The terminal is gone; nothing to restore.
    }
  };
  process.once('exit', restore);
  return () => process.removeListener('exit', restore);
}

/** Resolves when p settles or after ms, whichever is first: close() must never hang. */
export function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void p.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
