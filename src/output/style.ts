// A few ANSI styles, switched off as a whole. Not a colour library on purpose: plain mode must not
// load anything heavy, and listr2 brings its own colours in tty mode.
export interface Style {
  enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const same = (s: string) => s;

export function createStyle(enabled: boolean): Style {
  if (!enabled) return { enabled, red: same, green: same, yellow: same, cyan: same, dim: same, bold: same };
  return {
    enabled,
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    dim: sgr(2, 22),
    bold: sgr(1, 22),
  };
}
