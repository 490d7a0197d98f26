// A deterministic app build (seeded PRNG): ~2,000 files, ~30 MB — many small text files in a
// nested tree and a few 1–5 MB binaries — plus a variant with 1% of the files changed (half of
// them same-size edits, which size+mtime checks miss). Same seed, same bytes, same mtimes.
import { chmodSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BuildFile {
  path: string;
  data: Buffer;
  mode: number;
}

export interface AppBuild {
  files: BuildFile[];
  bytes: number;
}

export interface BuildSpec {
  seed: number;
  textFiles: number;
  textBytes: number;
  binaryMB: readonly number[];
}

export const DEFAULT_SPEC: BuildSpec = { seed: 20260415, textFiles: 1995, textBytes: 15 * 1024 * 1024, binaryMB: [1, 2, 3, 4, 5] };

/** mulberry32: small, fast, good enough to make test data reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'function return const let if else for while class public private static new this self use ' +
  'namespace import export from async await true false null array string int bool request response ' +
  'user order invoice payment customer product cart session cache queue job event listener ' +
  'controller model view route middleware config database query builder collection item value key'
).split(' ');
const TOP = ['app', 'vendor', 'resources/views', 'public/js', 'public/css', 'config', 'database/migrations', 'routes', 'lang'];
const EXT = ['.php', '.js', '.css', '.blade.php', '.json', '.md', '.ts'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function textOf(r: () => number, size: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  let line = '';
  while (n < size) {
    const w = pick(r, WORDS);
    line += (line ? ' ' : '    '.repeat(Math.floor(r() * 3))) + w;
    if (line.length > 40 + r() * 60) {
      parts.push(line + (r() < 0.3 ? ';' : ''));
      n += line.length + 2;
      line = '';
    }
  }
  return Buffer.from(parts.join('\n') + '\n').subarray(0, size);
}

function randomBytes(r: () => number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE(Math.floor(r() * 4294967296), i);
  for (let i = size - (size % 4); i < size; i++) b[i] = Math.floor(r() * 256);
  return b;
}

export function generateBuild(spec: BuildSpec = DEFAULT_SPEC): AppBuild {
  const r = prng(spec.seed);
  // ~150 directories, 1–4 levels deep under a few top-level ones.
  const dirs: string[] = [];
  for (let i = 0; i < 150; i++) {
    const depth = 1 + Math.floor(r() * 3);
    let d = pick(r, TOP);
    for (let k = 0; k < depth; k++) d += `/${pick(r, WORDS)}${Math.floor(r() * 20)}`;
    dirs.push(d);
  }
  // Log-uniform sizes (200 B .. 64 KB), scaled to the text budget.
  const raw = Array.from({ length: spec.textFiles }, () => Math.exp(Math.log(200) + r() * (Math.log(65536) - Math.log(200))));
  const scale = spec.textBytes / raw.reduce((a, b) => a + b, 0);
  const files: BuildFile[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < spec.textFiles; i++) {
    let path: string;
    do path = `${pick(r, dirs)}/${pick(r, WORDS)}_${i}${pick(r, EXT)}`;
    while (seen.has(path));
    seen.add(path);
    files.push({ path, data: textOf(r, Math.max(16, Math.round(raw[i]! * scale))), mode: 0o644 });
  }
  // Things a real build has at the shared paths and an executable.
  files.push({ path: '.env', data: Buffer.from('APP_ENV=build\n'), mode: 0o644 });
  files.push({ path: 'storage/framework/.gitignore', data: Buffer.from('*\n'), mode: 0o644 });
  files.push({ path: 'bin/console', data: Buffer.from('#!/bin/sh\necho console\n'), mode: 0o755 });
  spec.binaryMB.forEach((mb, i) => files.push({ path: `public/media/asset-${i + 1}.bin`, data: randomBytes(r, Math.round(mb * 1024 * 1024)), mode: 0o644 }));
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { files, bytes: files.reduce((n, f) => n + f.data.length, 0) };
}

/** 1% of the files changed (text files only; half same-size edits, half appended lines). */
export function variantOf(build: AppBuild, seed: number, fraction = 0.01): { build: AppBuild; changed: string[] } {
  const r = prng(seed);
  const candidates = build.files.filter((f) => f.mode === 0o644 && !f.path.endsWith('.bin') && f.data.length >= 64 && !f.path.startsWith('storage/') && f.path !== '.env');
  const want = Math.max(1, Math.round(build.files.length * fraction));
  const chosen = new Set<string>();
  for (let i = 0; chosen.size < want && i < 100_000; i++) chosen.add(pick(r, candidates).path);
  let k = 0;
  const files = build.files.map((f) => {
    if (!chosen.has(f.path)) return f;
    const data = Buffer.from(f.data);
    if (k++ % 2 === 0) {
      // Same size, same mtime: only a content digest sees it.
      const at = Math.floor(r() * (data.length - 8));
      data.write('CHANGED!', at, 'latin1');
      return { ...f, data };
    }
    return { ...f, data: Buffer.concat([data, Buffer.from(`// edited ${seed}\n`)]) };
  });
  return { build: { files, bytes: files.reduce((n, f) => n + f.data.length, 0) }, changed: [...chosen].sort() };
}

const MTIME = new Date('2026-04-15T09:33:01Z');

/** Writes the build into dir (replacing it), every file and directory with the same mtime. */
export function writeBuild(build: AppBuild, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  const made = new Set<string>();
  for (const f of build.files) {
    const abs = join(dir, f.path);
    const parent = dirname(abs);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(abs, f.data);
    chmodSync(abs, f.mode);
    utimesSync(abs, MTIME, MTIME);
  }
  // Directories last (writing files changes their mtime), deepest first.
  const all = new Set<string>([dir]);
  for (const d of made) for (let p = d; p.startsWith(dir) && !all.has(p); p = dirname(p)) all.add(p);
  for (const d of [...all].sort((a, b) => b.length - a.length)) utimesSync(d, MTIME, MTIME);
}
