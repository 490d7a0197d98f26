// Which command an argv runs, read before the CLI's bundle loads (start.ts): it picks the bundle's
// compiled code to read, and starts a deploy's build scan thread that early. A wrong answer only
// costs or misses a head start: commander decides.

/** The global options that take a value (main.ts buildProgram): the word after them is a value. */
export const VALUE_OPTIONS: readonly string[] = ['-c', '--config', '--host', '--role', '--var', '--wait-lock'];

export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (VALUE_OPTIONS.includes(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}
