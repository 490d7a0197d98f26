// "did you mean X?" for misspelt keys, stage, task and template names.

/** Optimal string alignment distance: Levenshtein plus swapping two neighbours (hsots -> hosts). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Words people write for a key we spell differently; only suggested when the target is allowed. */
const SYNONYMS: Record<string, string> = {
  branch: 'ref',
  hostname: 'host',
  server: 'host',
  servers: 'hosts',
  deploy_path: 'deploy_to',
  path: 'deploy_to',
  keep: 'keep_releases',
  releases: 'keep_releases',
  command: 'run',
  cmd: 'run',
  script: 'run',
  env: 'vars',
  environment: 'vars',
  linked_files: 'files',
  linked_dirs: 'dirs',
};

/** The closest candidate, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const synonym = SYNONYMS[lower];
  if (synonym !== undefined && candidates.includes(synonym)) return synonym;
  // "prod" for "production": an unambiguous beginning is a better guess than any edit distance.
  if (lower.length >= 3) {
    const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower));
    if (prefixed.length === 1) return prefixed[0];
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(lower, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  // A guess that shares nothing with the word ("x" for "y") is noise, not help.
  const limit = Math.min(Math.max(1, Math.floor(word.length / 3)), word.length - 1);
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean "hosts"?` or '' — ready to append to a message. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean "${c}"?`;
}
