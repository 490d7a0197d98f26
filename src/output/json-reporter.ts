import type { RunEvent } from '../run/events.js';
import { toErrorEvent } from './error-event.js';
import { flushStream } from './line-writer.js';
import { redactDeep } from './redact-deep.js';
import type { Reporter } from './types.js';

// --json: exactly the events, one object per line on one stream, nothing else (no blocks, no
// summary), so `shipyaml deploy prod --json | jq` always parses. schema/events.schema.json
// describes every line.

export interface JsonOptions {
  stream: NodeJS.WritableStream;
  verbose: boolean;
  redact: (s: string) => string;
  clock: () => Date;
}

export function createJsonReporter(o: JsonOptions): Reporter {
  let closed = false;
  const emit = (e: RunEvent): void => {
    if (closed) return;
    o.stream.write(`${JSON.stringify(redactDeep(e, o.redact))}\n`);
  };
  return {
    emit,
    error(err: unknown) {
      emit(toErrorEvent(err, { verbose: o.verbose, time: o.clock().toISOString() }));
    },
    async close() {
      if (closed) return;
      closed = true;
      await flushStream(o.stream);
    },
  };
}
