import { createInterface } from 'node:readline';

/** Asks for a key's passphrase on the terminal, without echo; no terminal means no passphrase. */
export async function promptPassphrase(keyPath: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput?: (s: string) => void; output: NodeJS.WritableStream };
  process.stderr.write(`Enter passphrase for ${keyPath}: `);
  out._writeToOutput = () => {}; // no echo
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
