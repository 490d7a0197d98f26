// The TCP connection to a route's first host, opened as soon as the host is known and before
// ssh2 loads. sshd forks and re-executes itself for every connection before it sends its
// version line (~30 ms on a small VM); opened early, that work overlaps with loading ssh2
// (~80 ms) instead of following it. Every direct hop's socket is opened here, dialed early or
// not. Cheap to import: node:net only.
import { Socket } from 'node:net';

/** What ssh2 says, and what we say, of a server that hung up before login. */
export function hungUpBeforeLogin(): Error {
  return Object.assign(new Error('the server closed the connection before login completed'), { code: 'ECONNRESET' });
}

export interface Dialed {
  /**
   * Settles once the connect has left this process. Node issues a socket's connect on the next
   * tick, and a caller inside a promise chain runs every queued promise job first: ssh2's module
   * code, loaded right after dial(), would run before the connect and sshd's start would follow
   * it again. Awaited before loading ssh2, it lets the connect go first.
   */
  readonly sent: Promise<void>;
  /**
   * Hands the socket over, with the error it already met (refused, unresolvable, reset), if any.
   * From here on, every event of the socket is the caller's to handle.
   */
  take(): { socket: Socket; error: Error | undefined };
  /** Closes it if it was not taken (a failure before the handshake, or a passphrase prompt). */
  discard(): void;
}

export function dial(hostname: string, port: number): Dialed {
  const socket = new Socket();
  let error: Error | undefined;
  // Until ssh2 takes the socket, an error must not go unhandled: it is kept for the hop to report.
  const keep = (e: Error) => {
    error ??= e;
  };
  socket.on('error', keep);
  let taken = false;
  socket.connect({ host: hostname, port });
  // After Node's own tick for the connect (ticks run in order); for a name, after its lookup began.
  const sent = new Promise<void>((resolve) => process.nextTick(resolve));
  // Without TCP_NODELAY, a small packet sent while the previous one is unacknowledged (a channel
  // close, then the next channel open) waits for the server's delayed ACK: ~40 ms per exec round
  // trip on Linux. sshd enables it only for pty sessions. Node keeps the setting until connected.
  socket.setNoDelay(true);
  return {
    sent,
    take() {
      taken = true;
      socket.off('error', keep);
      // Closed before ssh2 could see it (the server hung up at once): ssh2 would wait for events
      // that already happened.
      if (!error && socket.destroyed) error = hungUpBeforeLogin();
      return { socket, error };
    },
    discard() {
      if (!taken) socket.destroy();
    },
  };
}
