// Turns what ssh2 and the socket report into one plain reason per failure, exit 4, naming the
// host: the user reads "connection refused (is sshd running on 10.0.0.5:22?)", not ECONNREFUSED.
import { ShipyamlError } from '../errors/shipyaml-error.js';
import type { SshTarget } from './ssh-config-resolve.js';

/** "web1 (deploy@10.0.0.5:22)", or just "deploy@10.0.0.5:22" when the alias is the address. */
export function describeTarget(t: Pick<SshTarget, 'alias' | 'hostname' | 'port' | 'user'>): string {
  const addr = `${t.user}@${t.hostname}:${t.port}`;
  return t.alias === t.hostname ? addr : `${t.alias} (${addr})`;
}

export interface ErrorContext {
  target: SshTarget;
  /** The host the user asked for, when `target` is a jump host on the way to it. */
  via?: SshTarget;
  timeoutMs: number;
  /** Auth methods tried, for the E_AUTH message ("agent, ~/.ssh/id_ed25519"). */
  tried?: string[];
  /** Extra lines for E_AUTH (an encrypted key that could not be used…). */
  authNotes?: string[];
}

interface Ssh2Error extends Error {
  level?: string;
  code?: string | number;
}

export function connectError(err: unknown, ctx: ErrorContext): ShipyamlError {
  if (err instanceof ShipyamlError) return err;
  const e = (err ?? {}) as Ssh2Error;
  const t = ctx.target;
  const who = whoFor(ctx);
  const host = (ctx.via ?? t).alias;
  const fail = (reason: string, details: string[] = []) =>
    new ShipyamlError('E_CONNECT', `${who}: ${reason}`, { host, exit: 4, cause: err, details });

  if (e.level === 'client-authentication' || /authentication methods failed/i.test(e.message ?? '')) {
    const tried = ctx.tried && ctx.tried.length > 0 ? ctx.tried.join(', ') : 'nothing (no agent, no key files found)';
    return new ShipyamlError('E_AUTH', `${who}: authentication failed for ${t.user}@${t.hostname} (tried: ${tried})`, {
      host,
      exit: 4,
      cause: err,
      details: ctx.authNotes ?? [],
    });
  }
  // ssh2's word for a server that hung up before its version line; the same as a reset here
  // (ssh-dial.ts reports it so when the hang-up comes before ssh2 has the socket).
  const code = e.code ?? (/^connection lost before handshake/i.test(e.message ?? '') ? 'ECONNRESET' : undefined);
  switch (code) {
    case 'ECONNREFUSED':
      return fail(`connection refused (is sshd running on ${t.hostname}:${t.port}?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return fail(`unknown host name "${t.hostname}" (it does not resolve; check the name, or HostName in ~/.ssh/config)`);
    case 'ETIMEDOUT':
      return fail(`timed out after ${seconds(ctx.timeoutMs)} connecting to ${t.hostname}:${t.port}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`no route to ${t.hostname}:${t.port} (network unreachable)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return fail('the server closed the connection during the handshake (sshd refused us: MaxStartups, a firewall, or tcp wrappers?)');
  }
  if (e.level === 'client-timeout') return fail(`timed out after ${seconds(ctx.timeoutMs)}`);
  if (e.level === 'handshake' || /no matching/i.test(e.message ?? '')) {
    return fail(`SSH handshake failed: ${e.message}`);
  }
  return fail(e.message || String(err));
}

/** A dropped connection while a command ran: the host, and that the outcome is unknown. */
export function connectionLost(target: SshTarget, reason?: string): ShipyamlError {
  return new ShipyamlError(
    'E_CONNECT',
    `${describeTarget(target)}: connection lost${reason ? ` (${reason})` : ''}; the command's outcome on the server is unknown`,
    { host: target.alias, exit: 4 },
  );
}

function whoFor(ctx: ErrorContext): string {
  return describeHop(ctx.target, ctx.via);
}

/** "web1 (…)" for the host itself; "web1 (…) via jump host bastion (…)" for a hop on the way. */
export function describeHop(hop: SshTarget, via?: SshTarget): string {
  return via ? `${describeTarget(via)} via jump host ${describeTarget(hop)}` : describeTarget(hop);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
