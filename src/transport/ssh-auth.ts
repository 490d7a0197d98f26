// Authentication as OpenSSH users expect it: the agent's keys first (only those matching the
// configured identity files when IdentitiesOnly is set), then each identity file in order. An
// encrypted file asks for its passphrase (the CLI supplies a terminal prompt) and is skipped
// with a clear note when there is none. Feeds ssh2's authHandler one method at a time.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type * as Ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import type { SshTarget } from './ssh-config-resolve.js';

export type PassphrasePrompt = (keyPath: string) => Promise<string | undefined>;

export interface AuthOptions {
  passphrasePrompt?: PassphrasePrompt;
  home: string;
  /** Called around a passphrase prompt, so a connect timeout does not count a human typing. */
  onPrompt?: (active: boolean) => void;
}

export interface AuthPlan {
  handler: AuthHandlerMiddleware;
  /** What was offered so far, for "authentication failed … (tried: agent, ~/.ssh/id_ed25519)". */
  tried: string[];
  /** Why a key could not be used (encrypted without passphrase, unreadable…). */
  notes: string[];
  /** ssh2's agent option (for ForwardAgent), when an agent is in use. */
  agent?: string;
}

type Ssh2Module = Pick<typeof Ssh2, 'utils' | 'OpenSSHAgent'>;
type Step = () => Promise<AnyAuthMethod | undefined>;
const PASSPHRASE_TRIES = 3; // as OpenSSH's NumberOfPasswordPrompts

export async function prepareAuth(ssh2: Ssh2Module, target: SshTarget, opts: AuthOptions): Promise<AuthPlan> {
  const tried: string[] = [];
  const notes: string[] = [];
  const show = (p: string) => (p.startsWith(`${opts.home}/`) ? `~${p.slice(opts.home.length)}` : p);
  const username = target.user;

  const files = await loadIdentityFiles(ssh2, target, show, notes);
  const steps: Step[] = [];

  const sock = agentSocket(target);
  if (sock !== undefined) {
    const allowed = target.identitiesOnly && !target.defaultIdentities ? files.flatMap((f) => (f.publicBlob ? [f.publicBlob] : [])) : undefined;
    // "agent" counts as tried only when it had a key to offer.
    const agent = listingAgent(ssh2, sock, allowed, (n) => n > 0 && tried.push('agent'));
    if (allowed === undefined || allowed.length > 0) steps.push(async () => ({ type: 'agent', username, agent }));
  }

  for (const f of files) {
    if (!f.key && !f.data) continue; // a public key only: usable through the agent alone
    steps.push(async () => {
      const key = f.key ?? (await unlock(ssh2, f, opts, show, notes));
      if (!key) return undefined;
      tried.push(show(f.path));
      return { type: 'publickey', username, key };
    });
  }

  const handler: AuthHandlerMiddleware = (methodsLeft: AuthenticationType[] | null, _partial, next) => {
    // The server lists what it still accepts; without publickey there is nothing we can offer.
    if (methodsLeft && !methodsLeft.includes('publickey')) {
      next(false as unknown as AuthenticationType);
      return;
    }
    void (async () => {
      for (let i = 0; i < 1_000 && steps.length > 0; i++) {
        const method = await steps.shift()!().catch(() => undefined);
        if (method) return method;
      }
      return undefined;
    })().then((m) => next(m ?? (false as unknown as AuthenticationType)));
  };
  return { handler, tried, notes, ...(sock !== undefined ? { agent: sock } : {}) };
}

interface IdentityFile {
  path: string;
  /** Parsed private key, when it is not encrypted. */
  key?: ParsedKey;
  /** The raw file, kept to decrypt it later. */
  data?: Buffer;
  /** SSH wire-format public key (from the private key or the .pub next to it). */
  publicBlob?: Buffer;
}

async function loadIdentityFiles(
  ssh2: Ssh2Module,
  target: SshTarget,
  show: (p: string) => string,
  notes: string[],
): Promise<IdentityFile[]> {
  const out: IdentityFile[] = [];
  for (const path of target.identityFiles) {
    const data = await readFile(path).catch(() => undefined);
    if (data === undefined) {
      // Only the .pub on disk (the private key lives in the agent, or on a token): like ssh,
      // it still selects that agent key under IdentitiesOnly.
      const pub = await publicBlobFromPub(ssh2, path);
      if (pub.publicBlob) out.push({ path, ...pub });
      // Defaults are tried only if they exist; a named file that is missing deserves a note.
      else if (!target.defaultIdentities) notes.push(`identity file ${show(path)} not found`);
      continue;
    }
    const parsed = first(ssh2.utils.parseKey(data));
    if (!(parsed instanceof Error)) {
      if (!parsed.isPrivateKey()) {
        notes.push(`${show(path)} is not a private key`);
        continue;
      }
      out.push({ path, key: parsed, publicBlob: parsed.getPublicSSH() });
      continue;
    }
    if (/encrypted|passphrase/i.test(parsed.message)) {
      out.push({ path, data, ...(await publicBlobFromPub(ssh2, path)) });
    } else {
      notes.push(`${show(path)} could not be read as a private key (${parsed.message})`);
    }
  }
  return out;
}

async function publicBlobFromPub(ssh2: Ssh2Module, path: string): Promise<{ publicBlob?: Buffer }> {
  const pub = await readFile(`${path}.pub`).catch(() => undefined);
  if (!pub) return {};
  const parsed = first(ssh2.utils.parseKey(pub));
  return parsed instanceof Error ? {} : { publicBlob: parsed.getPublicSSH() };
}

interface Unlocked {
  key?: ParsedKey;
  note?: string;
}

/**
 * Decrypted keys, shared by every host of the command: a fleet of 20 hosts asks for a key's
 * passphrase once (not 20 prompts at once), and bcrypt_pbkdf runs once. Keyed by the prompt
 * function (one per CLI run) and the key file's path and content.
 */
const unlockedKeys = new WeakMap<PassphrasePrompt, Map<string, Promise<Unlocked>>>();

async function unlock(
  ssh2: Ssh2Module,
  f: IdentityFile,
  opts: AuthOptions,
  show: (p: string) => string,
  notes: string[],
): Promise<ParsedKey | undefined> {
  const prompt = opts.passphrasePrompt;
  if (!prompt || !f.data) {
    notes.push(`${show(f.path)} is encrypted and no passphrase was given: ${encryptedAdvice(f.path, show)}`);
    return undefined;
  }
  let byKey = unlockedKeys.get(prompt);
  if (!byKey) unlockedKeys.set(prompt, (byKey = new Map()));
  const id = `${f.path}\0${createHash('sha256').update(f.data).digest('hex')}`;
  let pending = byKey.get(id);
  if (!pending) byKey.set(id, (pending = askAndDecrypt(ssh2, f, prompt, show)));
  // While anyone waits for a human, this host's connect timeout must not run out.
  opts.onPrompt?.(true);
  try {
    const r = await pending;
    if (r.note) notes.push(r.note);
    return r.key;
  } finally {
    opts.onPrompt?.(false);
  }
}

async function askAndDecrypt(ssh2: Ssh2Module, f: IdentityFile, prompt: PassphrasePrompt, show: (p: string) => string): Promise<Unlocked> {
  for (let attempt = 0; attempt < PASSPHRASE_TRIES; attempt++) {
    const pass = await prompt(f.path);
    if (!pass) return { note: `${show(f.path)} is encrypted and no passphrase was given: ${encryptedAdvice(f.path, show)}` };
    const parsed = first(ssh2.utils.parseKey(f.data!, pass));
    if (!(parsed instanceof Error)) return { key: parsed };
  }
  return { note: `${show(f.path)}: wrong passphrase (${PASSPHRASE_TRIES} tries)` };
}

function encryptedAdvice(path: string, show: (p: string) => string): string {
  return `load it into ssh-agent (ssh-add ${show(path)}) or run shipyaml in a terminal to be asked for its passphrase`;
}

/** IdentityAgent wins over SSH_AUTH_SOCK; "none" turns the agent off. */
function agentSocket(target: SshTarget): string | undefined {
  const configured = target.identityAgent;
  if (configured === 'none') return undefined;
  if (configured !== undefined && configured !== 'SSH_AUTH_SOCK') return configured;
  return process.env.SSH_AUTH_SOCK || undefined;
}

/**
 * The agent at `sock`, offering only the keys whose public blobs are allowed (IdentitiesOnly;
 * undefined: all), and telling how many it offered.
 */
function listingAgent(
  ssh2: Ssh2Module,
  sock: string,
  allowed: Buffer[] | undefined,
  offered: (count: number) => void,
): Ssh2.OpenSSHAgent {
  class Listing extends ssh2.OpenSSHAgent {
    override getIdentities(cb: Ssh2.IdentityCallback<ParsedKey>): void {
      super.getIdentities((err, keys) => {
        if (err) return cb(err);
        // OpenSSHAgent yields parsed keys; anything else cannot be compared and is left out.
        const parsed = (keys ?? []).filter((k): k is ParsedKey => typeof k === 'object' && 'getPublicSSH' in k);
        const usable = allowed ? parsed.filter((k) => allowed.some((b) => b.equals(k.getPublicSSH()))) : parsed;
        offered(usable.length);
        cb(undefined, usable);
      });
    }
  }
  return new Listing(sock);
}

function first<T>(v: T | T[]): T {
  return Array.isArray(v) ? (v[0] as T) : v;
}
