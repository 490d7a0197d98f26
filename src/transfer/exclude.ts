// source.exclude patterns, gitignore-like: a pattern without a slash matches a name at any
// depth (`.git`, `*.log`); with a slash it matches the path from the build root (`tests/tmp`);
// `**` crosses directories. A trailing slash is accepted and ignored.
export type ExcludeMatcher = (relPath: string) => boolean;

export function createExcludeMatcher(patterns: readonly string[]): ExcludeMatcher {
  const compiled = patterns.map(compile);
  if (compiled.length === 0) return () => false;
  return (rel) => {
    const segments = rel.split('/');
    return compiled.some(({ anchored, re }) =>
      anchored ? re.test(rel) || prefixes(segments).some((p) => re.test(p)) : segments.some((s) => re.test(s)),
    );
  };
}

function prefixes(segments: string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) out.push(segments.slice(0, i).join('/'));
  return out;
}

function compile(pattern: string): { anchored: boolean; re: RegExp } {
  // A leading slash anchors a pattern to the build root (used for a local deploy_to inside it).
  const rooted = pattern.startsWith('/');
  const p = pattern.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  const anchored = rooted || p.includes('/');
  let src = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      src += '.*';
      i++;
      if (p[i + 1] === '/') i++;
    } else if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return { anchored, re: new RegExp(`^${src}$`) };
}
