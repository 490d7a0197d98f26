// The round-trip estimate that sizes an upload's cap (ssh-pacing.ts), shared by the hosts of one
// command that are reached at the same address.
//
// Why shared: the estimate is half the quickest exec open seen (two round trips plus sshd's
// fork), and a busy machine inflates every sample with waiting for CPU. Deploying to 20 hosts
// from 2 cores, each connection's own quickest open said 4-33 ms over loopback, so most uploads
// went uncapped and sshd spent most of its CPU copying its buffer (a first deploy to 20 hosts:
// 37 s of sshd CPU, 16-20 s with a cap). Hosts behind one address share the network path to it,
// so the least-delayed sample of any of them bounds the round trip of all.
//
// The path is the route of host names (jump hosts included), without ports: hosts behind one
// NAT address on several ports share it. A local port forwarded over a long link to a far host
// looks like a near one only if a truly local host is deployed to in the same command; its
// upload is then capped lower than its link could carry (slower, never wrong).

export class RoundTrips {
  private readonly quickest = new Map<string, number>();

  /** An exec channel on `path` opened and started its command in `ms`. */
  record(path: string, ms: number): void {
    const best = this.quickest.get(path);
    if (best === undefined || ms < best) this.quickest.set(path, ms);
  }

  /**
   * The round trip on `path`, in ms: half the quickest open (two round trips, plus the server's
   * fork and any delay of our event loop: an estimate on the high side, never too low).
   */
  estimate(path: string): number | undefined {
    const best = this.quickest.get(path);
    return best === undefined ? undefined : best / 2;
  }
}

/** The key of a route: its host names in order, without ports or users. */
export function pathOf(route: readonly { hostname: string }[]): string {
  return route.map((h) => h.hostname).join(' > ');
}
