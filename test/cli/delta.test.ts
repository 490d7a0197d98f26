import { readFileSync, readdirSync, writeFileSync, rmSync, mkdirSync, symlinkSync, existsSync, readlinkSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';

type Transfer = { type: 'transfer'; bytes: number; files: number; mode: 'full' | 'delta' };

async function deploy(dir: string, ...extra: string[]): Promise<Transfer> {
  const r = await runCli(['deploy', 'local', '--json', ...extra], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  return events.find((e) => e.type === 'transfer');
}

const files = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`src/file${i}.txt`, `content of file ${i}\n`.repeat(50)]));

describe('delta transfers on the local target', () => {
  it('sends only what changed, decided by content (a same-size edit included)', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(40), 'index.html': 'v1' });
    const first = await deploy(dir);
    expect(first.mode).toBe('full');
    expect(first.files).toBe(41);
    // Same size, same mtime second: only the content differs.
    writeFileSync(join(dir, 'build/index.html'), 'v2');
    const second = await deploy(dir);
    expect(second.mode).toBe('delta');
    expect(second.files).toBe(1);
    expect(second.bytes).toBeLessThan(first.bytes / 10);
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('v2');
    expect(readdirSync(join(root, 'current/src'))).toHaveLength(40);
    // --full sends everything again.
    const full = await deploy(dir, '--full');
    expect(full.mode).toBe('full');
    expect(full.files).toBe(41);
  }, 60_000);

  it('a file edited by hand inside an old release never leaks into a new one', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10), 'config.php': 'ORIGINAL' });
    await deploy(dir);
    const live = readlinkSync(join(root, 'current'));
    writeFileSync(join(root, live, 'config.php'), 'HOTFIXED BY HAND');
    writeFileSync(join(root, live, 'src/file1.txt'), 'edited');
    writeFileSync(join(dir, 'build/index.html'), 'new');
    const t = await deploy(dir);
    expect(t.mode).toBe('delta');
    expect(readFileSync(join(root, 'current/config.php'), 'utf8')).toBe('ORIGINAL');
    expect(readFileSync(join(root, 'current/src/file1.txt'), 'utf8')).toBe(readFileSync(join(dir, 'build/src/file1.txt'), 'utf8'));
    // The old release itself is left as the person edited it.
    expect(readFileSync(join(root, live, 'config.php'), 'utf8')).toBe('HOTFIXED BY HAND');
  }, 60_000);

  it('removed files, links and directories, type changes and exec bits all arrive as in the build', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10), 'gone.txt': 'x', 'dir/inner.txt': 'i', 'becomes-dir': 'f', 'empty/.keep': '' });
    symlinkSync('src/file1.txt', join(dir, 'build/link-old'));
    await deploy(dir);
    rmSync(join(dir, 'build/gone.txt'));
    rmSync(join(dir, 'build/dir'), { recursive: true });
    writeFileSync(join(dir, 'build/dir'), 'now a file');
    rmSync(join(dir, 'build/becomes-dir'));
    mkdirSync(join(dir, 'build/becomes-dir'));
    writeFileSync(join(dir, 'build/becomes-dir/x.txt'), 'x');
    rmSync(join(dir, 'build/link-old'));
    symlinkSync('src/file2.txt', join(dir, 'build/link-new'));
    chmodSync(join(dir, 'build/src/file3.txt'), 0o755);
    const t = await deploy(dir);
    expect(t.mode).toBe('delta');
    const cur = join(root, 'current');
    expect(existsSync(join(cur, 'gone.txt'))).toBe(false);
    expect(readFileSync(join(cur, 'dir'), 'utf8')).toBe('now a file');
    expect(readFileSync(join(cur, 'becomes-dir/x.txt'), 'utf8')).toBe('x');
    expect(existsSync(join(cur, 'link-old'))).toBe(false);
    expect(readlinkSync(join(cur, 'link-new'))).toBe('src/file2.txt');
    expect(statSync(join(cur, 'src/file3.txt')).mode & 0o100).toBe(0o100);
    expect(existsSync(join(cur, 'empty/.keep'))).toBe(true);
  }, 60_000);

  it('a cache tampered with by hand fails verification, changes nothing, and the next upload is full', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10) });
    await deploy(dir);
    const live = readlinkSync(join(root, 'current'));
    writeFileSync(join(root, '.shipyaml/cache/src/file5.txt'), 'tampered, same cache entry');
    writeFileSync(join(dir, 'build/index.html'), 'new');
    const r = await runCli(['deploy', 'local'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('differs from the build');
    expect(readlinkSync(join(root, 'current'))).toBe(live);
    expect(readdirSync(join(root, 'releases'))).toEqual([live.replace('releases/', '')]);
    const t = await deploy(dir);
    expect(t.mode).toBe('full');
    expect(readFileSync(join(root, 'current/src/file5.txt'), 'utf8')).toBe(readFileSync(join(dir, 'build/src/file5.txt'), 'utf8'));
  }, 60_000);
});
