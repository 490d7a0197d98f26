/** Options every command takes (DESIGN §4), as the CLI hands them to app/. */
export interface GlobalOptions {
  config?: string;
  host?: string[];
  role?: string[];
  var?: string[];
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  acceptNewHostKeys?: boolean;
  /** --wait-lock DURATION, as written ("30s", "5m"). */
  waitLock?: string;
  cwd?: string;
}

/** `--var k=v` pairs; a malformed one is a usage error naming it. */
export function parseVarFlags(pairs: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new Error(`--var ${JSON.stringify(p)} must look like name=value`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}
