// Output: every renderer (listr2 terminal, plain CI lines, JSON lines) fed by the same run events.
export { createReporter } from './reporter.js';
export type { OutputMode, Reporter, ReporterOptions, ResolvedMode } from './types.js';
export { colorEnabled, isCI, isTerminal, resolveMode } from './mode.js';
export { formatFailureBlock, formatErrorBlock, STDERR_LINES } from './failure-block.js';
export { toErrorEvent, INTERNAL_MESSAGE, type ErrorEvent } from './error-event.js';
export { startLine, summaryLines } from './summary.js';
export { createStyle, type Style } from './style.js';
export { clockTime, formatBytes, formatMs, formatRate, listHosts } from './format.js';
export { cleanLine, splitLines, stripAnsi } from './text.js';
export { createLineWriter, flushStream, type LineWriter } from './line-writer.js';
export { redactDeep } from './redact-deep.js';
export { transferText, nextTransfer, SLOW_TRANSFER_MS, type TransferState } from './transfer.js';
export { ProgressModel, type HostProgress, type PhaseProgress, type Outcome } from './progress-model.js';
export { COLLAPSE_HOSTS_ABOVE, hostOutput, hostTitle, phaseOutput, phaseTitle } from './tty-titles.js';
export { createPlainReporter, type PlainOptions } from './plain-reporter.js';
export { createJsonReporter, type JsonOptions } from './json-reporter.js';
export { createTtyReporter, type TtyOptions } from './tty-reporter.js';
export { createListrTasks, type ListrTasks } from './listr-tasks.js';
