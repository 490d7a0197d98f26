// How much of an upload may be unacknowledged by the server at once, and a writer that keeps to it.
//
// Why: sshd appends every packet of channel data to a buffer that it grows by reallocating and
// copying it whole, until the command (tar) reads it. With the full window (2 MiB for OpenSSH) in
// flight into a command slower than the link, that buffer stays megabytes deep: receiving a 33 MB
// build over loopback cost sshd 0.9-2.0 s of CPU, mostly memmove and page faults. With at most
// 256 KiB unacknowledged, the same upload cost it 0.13-0.27 s and took 150-270 ms, not 1.0-2.0 s.
//
// On a link with latency the whole window is what keeps the link busy, so the cap grows with the
// round-trip time: what a 1 Gbit/s link needs, and from ~16 ms on the whole window (no cap). The
// estimate errs high (round-trips.ts), so a link is rarely capped below what it carries; 1 Gbit/s
// rather than more, because a busy client inflates the estimate by several ms, and the 2 Gbit/s
// of before then left most uploads of a 20-host deploy uncapped (sshd CPU 35-47 s against 21 s).
import { Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';

/**
 * The smallest cap. OpenSSH acknowledges once more than 3 packets are unacknowledged and some
 * are consumed (channels.c, channel_check_window, for over a decade): 8 packets keep it sending.
 */
const MIN_CAP = 256 * 1024;
/** Bytes in flight per millisecond of round trip: a link up to ~1 Gbit/s stays full. */
const BYTES_PER_RTT_MS = 128 * 1024;
/** Writes are cut to this size, so that a chunk never waits for the whole cap to drain. */
const PIECE = 64 * 1024;
/**
 * Blocked this long without any acknowledgement, while the server has not yet shown that it
 * acknowledges with this much unacknowledged, the cap doubles: a server that waits for more
 * (another implementation) must not stall the upload.
 */
const STALL_MS = 300;

/**
 * The cap for a channel whose server allows `window` bytes in packets of `packetSize`, over a
 * link with this round-trip time; undefined (no cap: the window alone, as ssh2 does) when the
 * cap would be the whole window or the round trip is unknown.
 */
export function uploadCap(rttMs: number | undefined, packetSize: number, window: number): number | undefined {
  if (rttMs === undefined || !(rttMs >= 0)) return undefined;
  const cap = Math.max(MIN_CAP, 8 * packetSize, Math.ceil(rttMs * BYTES_PER_RTT_MS));
  return cap < window ? cap : undefined;
}

/** ssh2 1.x keeps the server's window for the channel here (not public API: checked before use). */
interface OutgoingState {
  window: number;
  packetSize: number;
}

export interface PacingStats {
  /** The cap at the end, and the most bytes ever unacknowledged. */
  cap: number;
  maxInFlight: number;
  /** The least unacknowledged when an acknowledgement came: the server acknowledges with that much. */
  ackedAt?: number;
  /** How often the stall rule raised the cap. */
  raised: number;
}

export interface PacingOptions {
  /** The connection's round-trip time, where known; unknown: no cap. */
  rttMs?: number;
  /** A fixed cap instead (tests). */
  cap?: number;
  onStats?: (s: PacingStats) => void;
}

/**
 * A Writable for `ch` that keeps at most the cap unacknowledged by the server; `ch` itself
 * where there is no cap or ssh2's channel state is not what this expects. A write's callback
 * comes once the channel has taken all of it, as with the channel itself (the upload reuses its
 * buffers after that).
 */
export function pacedChannel(ch: ClientChannel, opts: PacingOptions = {}): Writable {
  const out = (ch as unknown as { outgoing?: Partial<OutgoingState> }).outgoing;
  if (!out || typeof out.window !== 'number' || typeof out.packetSize !== 'number' || out.window <= 0) return ch;
  const descriptor = Object.getOwnPropertyDescriptor(out, 'window');
  if (!descriptor || !descriptor.writable || !descriptor.configurable) return ch;
  const cap = opts.cap ?? uploadCap(opts.rttMs, out.packetSize, out.window);
  if (cap === undefined) return ch;
  return new PacedWriter(ch, out as OutgoingState, cap, opts.onStats);
}

class PacedWriter extends Writable {
  /** The window when nothing is in flight: all the server allows. */
  private readonly full: number;
  private window: number;
  private wake: (() => void) | undefined;
  private readonly stats: PacingStats;
  /** The cap before any stall raised it. */
  private readonly base: number;

  constructor(
    private readonly ch: ClientChannel,
    out: OutgoingState,
    cap: number,
    private readonly onStats?: (s: PacingStats) => void,
  ) {
    super({ highWaterMark: 0 });
    this.full = out.window;
    this.window = out.window;
    this.base = Math.min(cap, out.window);
    this.stats = { cap: this.base, maxInFlight: 0, raised: 0 };
    // ssh2 adds the server's window adjustments to this field and subtracts what it sends:
    // watching it is how the writer learns what the server has consumed.
    Object.defineProperty(out, 'window', {
      configurable: true,
      enumerable: true,
      get: () => this.window,
      set: (v: number) => {
        if (v > this.window) {
          const before = this.inFlight();
          if (this.stats.ackedAt === undefined || before < this.stats.ackedAt) {
            this.stats.ackedAt = before;
            // A raise that a slow start caused: the server acknowledges with less than that.
            if (this.stats.cap > this.base) this.stats.cap = Math.max(this.base, before);
          }
          this.window = v;
          this.wake?.();
        } else {
          this.window = v;
        }
      },
    });
    const stop = () => {
      this.wake?.();
      if (!this.destroyed) this.destroy();
    };
    ch.once('close', stop);
    ch.once('error', stop);
    // A write cut short by the channel closing fails through its callback, which the upload
    // reads; the command's exit status says what happened.
    this.on('error', () => {});
  }

  private inFlight(): number {
    return this.full - this.window;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.send(chunk).then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.onStats?.(this.stats);
    this.ch.end();
    done();
  }

  private async send(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length; at += PIECE) {
      const piece = chunk.subarray(at, Math.min(at + PIECE, chunk.length));
      while (this.inFlight() > 0 && this.inFlight() + piece.length > this.stats.cap) {
        if (this.destroyed) throw new Error('the channel closed');
        // Only a server that has not acknowledged at this level yet can be waiting for more.
        const proven = this.stats.ackedAt !== undefined && this.stats.ackedAt <= this.inFlight();
        const before = this.window;
        const woken = await new Promise<boolean>((resolve) => {
          const timer = proven ? undefined : setTimeout(() => resolve(false), STALL_MS);
          this.wake = () => {
            if (timer) clearTimeout(timer);
            resolve(true);
          };
        });
        this.wake = undefined;
        if (!woken && this.window <= before) {
          this.stats.cap = Math.min(this.stats.cap * 2, this.full);
          this.stats.raised++;
        }
      }
      if (this.destroyed) throw new Error('the channel closed');
      // Within the window: ssh2 turns the piece into packets now and calls back at once.
      await new Promise<void>((resolve, reject) => this.ch.write(piece, (e) => (e ? reject(e) : resolve())));
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight());
    }
  }
}
