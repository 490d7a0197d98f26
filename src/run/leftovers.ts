/**
 * What this process would leave on servers if it died now: the locks it holds and the release
 * it is writing. The second Ctrl-C prints it, with the commands that clear it.
 */
export class Leftovers {
  private locks = new Map<string, string>();
  private releaseId: string | undefined;
  private releasePaths: string[] = [];
  private switched = new Set<string>();

  lock(host: string, path: string): void {
    this.locks.set(host, path);
  }

  unlock(host: string): void {
    this.locks.delete(host);
  }

  release(id: string | undefined, paths: string[]): void {
    this.releaseId = id;
    this.releasePaths = paths;
  }

  switchedTo(host: string, on: boolean): void {
    if (on) this.switched.add(host);
    else this.switched.delete(host);
  }

  describe(stage: string): string {
    const lines: string[] = [];
    if (this.switched.size) lines.push(`already switched to ${this.releaseId ?? 'the new release'}: ${[...this.switched].join(', ')} (check with \`shipyaml releases ${stage}\`; \`shipyaml rollback ${stage}\` goes back)`);
    if (this.locks.size) lines.push(`locks held: ${[...this.locks].map(([h, p]) => `${h}:${p}`).join(', ')}`);
    if (this.releaseId) lines.push(`partial release ${this.releaseId} (not live): ${this.releasePaths.join(', ')}`);
    if (!lines.length) return 'nothing was left behind';
    const fix = [this.locks.size ? `shipyaml unlock ${stage}` : '', this.releaseId ? `shipyaml cleanup ${stage}` : ''].filter(Boolean).join(' && ');
    return `${lines.join('\n')}${fix ? `\nTo clear: ${fix}` : ''}`;
  }
}
