// Remote output is arbitrary bytes from other programs: colours, progress bars redrawn with \r,
// bells. A log line must be one clean line, so these are removed (colours kept only on request).

// CSI sequences, OSC sequences (terminated by BEL or ST), and two-byte escapes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const SGR = /^\x1b\[[0-9;]*m$/;
// C0 controls except tab, and DEL; \x1b is handled by ESCAPES first.
const CONTROLS = /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f]/g;

export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, '');
}

/** One printable line: escapes removed (SGR colours kept when keepColor), control characters dropped. */
export function cleanLine(text: string, keepColor = false): string {
  const out = text.replace(ESCAPES, (seq) => (keepColor && SGR.test(seq) ? seq : ''));
  // A lone ESC left over from a truncated sequence would corrupt the terminal state.
  return out.replace(CONTROLS, '').replace(keepColor ? /\x1b(?!\[[0-9;]*m)/g : /\x1b/g, '');
}

/**
 * Text split into lines the way a terminal would show them: a trailing newline adds no empty
 * line, and a line redrawn with \r keeps only what was drawn last.
 */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => {
    // A trailing \r is a CRLF line ending (ssh ends "Host key verification failed." so), not a
    // redraw: without this, the one line that says why a git fetch failed would come out empty.
    const body = line.replace(/\r+$/, '');
    const cr = body.lastIndexOf('\r');
    return cr === -1 ? body : body.slice(cr + 1);
  });
}
