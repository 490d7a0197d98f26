import { readFileSync, readdirSync, writeFileSync, rmSync, mkdirSync, symlinkSync, existsSync, readlinkSync, chmodSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeApp, localStage } from '../support/app.js';
import { toolShim } from '../support/tool-shim.js';
import { afterClockTick } from '../support/clock-tick.js';

type Transfer = { type: 'transfer'; bytes: number; files: number; mode: 'full' | 'delta' };

async function deploy(dir: string, ...extra: string[]): Promise<Transfer> {
  const r = await runCli(['deploy', 'local', '--json', ...extra], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  return events.find((e) => e.type === 'transfer');
}

/** A new build deployed over a tampered cache: refused by the server's verification, exit 1. */
async function expectCacheRefused(dir: string, env?: Record<string, string>): Promise<void> {
  const r = await runCli(['deploy', 'local'], { cwd: dir, ...(env ? { env } : {}) });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('differs from the build');
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

  it('a delta cut short after it changed the cache leaves its dirty flag: the listing is not trusted, the next upload is full', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10), 'index.html': 'v1' });
    await deploy(dir);
    const dirty = join(root, '.shipyaml/cache.dirty');
    writeFileSync(join(dir, 'build/index.html'), 'v2');
    // awk fails after tar has written v2 into the cache, so the listing (of v1) is now stale.
    const { env } = toolShim(dir, 'awk', { option: '*', complaint: 'out of memory' });
    const cut = await runCli(['deploy', 'local'], { cwd: dir, env });
    expect(cut.code, cut.stderr).toBe(1);
    expect(readFileSync(join(root, '.shipyaml/cache/index.html'), 'utf8')).toBe('v2');
    expect(existsSync(dirty)).toBe(true);
    writeFileSync(join(dir, 'build/index.html'), 'v3');
    const next = await deploy(dir);
    expect(next.mode).toBe('full');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('v3');
    expect(existsSync(dirty)).toBe(false);
    writeFileSync(join(dir, 'build/index.html'), 'v4');
    expect((await deploy(dir)).mode).toBe('delta');
    expect(existsSync(dirty)).toBe(false);
    expect(readdirSync(join(root, '.shipyaml')).sort()).toEqual(['cache', 'cache.mark', 'cache.sums', 'log.jsonl']);
  }, 60_000);

  it('build digests come from the cache only while a file is untouched: a same-size edit with its mtime put back is sent; --full and SHIPYAML_DIGEST_CACHE=off read everything', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(20), 'index.html': 'v1' });
    const env = { XDG_CACHE_HOME: join(dir, 'xdg') };
    const build = join(dir, 'build');
    const mtime = new Date('2026-01-02T03:04:05Z');
    utimesSync(join(build, 'index.html'), mtime, mtime);
    await afterClockTick(build, join(dir, 'probe'));
    const run = async (...extra: string[]) => {
      const r = await runCli(['deploy', 'local', '--json', ...extra], { cwd: dir, env });
      return { r, t: r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'transfer') as Transfer | undefined };
    };
    expect((await run()).r.code).toBe(0);
    const digestsDir = join(dir, 'xdg/shipyaml/digests');
    const [cacheFile] = readdirSync(digestsDir).map((f) => join(digestsDir, f));
    expect(readFileSync(cacheFile!, 'utf8')).toMatch(/\tindex\.html$/m);
    // Same size, same mtime, same inode: only ctime tells.
    writeFileSync(join(build, 'index.html'), 'v2');
    utimesSync(join(build, 'index.html'), mtime, mtime);
    const edited = await run();
    expect(edited.r.code, edited.r.stderr).toBe(0);
    expect(edited.t).toMatchObject({ mode: 'delta', files: 1 });
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('v2');
    // The deploy reads the cache: a digest poisoned in it (a stat-identical file with a wrong
    // md5) reaches the server, whose check refuses the upload before any switch.
    await afterClockTick(build, join(dir, 'probe'));
    expect((await run()).r.code).toBe(0);
    const live = readlinkSync(join(root, 'current'));
    const text = readFileSync(cacheFile!, 'utf8');
    writeFileSync(cacheFile!, text.replace(/^[0-9a-f]{32}(?= .*\tsrc\/file3\.txt$)/m, 'f'.repeat(32)));
    const poisoned = await run();
    expect(poisoned.r.code).toBe(1);
    expect(poisoned.r.stdout).toContain('differs from the build');
    expect(readlinkSync(join(root, 'current'))).toBe(live);
    // --full reads every file again (and writes the cache afresh); so does a run with the cache off.
    writeFileSync(cacheFile!, text.replace(/^[0-9a-f]{32}(?= .*\tsrc\/file3\.txt$)/m, 'f'.repeat(32)));
    expect((await run('--full')).r.code).toBe(0);
    expect(readFileSync(cacheFile!, 'utf8')).not.toContain('f'.repeat(32));
    writeFileSync(cacheFile!, text.replace(/^[0-9a-f]{32}(?= .*\tsrc\/file3\.txt$)/m, 'f'.repeat(32)));
    const off = await runCli(['deploy', 'local'], { cwd: dir, env: { ...env, SHIPYAML_DIGEST_CACHE: 'off' } });
    expect(off.code, off.stderr).toBe(0);
    expect(readFileSync(cacheFile!, 'utf8')).toContain('f'.repeat(32));
  }, 60_000);

  it('the lock reads the cache listing for a delta, and not for --full, which does not use it', async () => {
    const { dir } = makeApp(localStage(), { ...files(3), 'index.html': 'v1' });
    const lockCommand = async (...extra: string[]) => {
      const r = await runCli(['deploy', 'local', '--json', ...extra], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      return events.find((e) => e.type === 'step' && e.step === 'lock' && e.status === 'start').command as string;
    };
    expect(await lockCommand()).toContain('cache_sums');
    expect(await lockCommand()).toContain('cache_sums');
    expect(await lockCommand('--full')).not.toContain('cache_sums');
  }, 60_000);

  it('a digest cache inside the build (XDG_CACHE_HOME there) is never uploaded', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(3), 'index.html': 'v1' });
    const env = { XDG_CACHE_HOME: join(dir, 'build/.cache') };
    for (const v of ['v2', 'v3']) {
      const r = await runCli(['deploy', 'local'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      writeFileSync(join(dir, 'build/index.html'), v);
    }
    expect(readdirSync(join(dir, 'build/.cache/shipyaml/digests'))).toHaveLength(1);
    expect(readdirSync(join(root, 'current/.cache'))).toEqual([]);
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
    symlinkSync('src/file1.txt', join(dir, 'build/link-kept'));
    await deploy(dir);
    rmSync(join(dir, 'build/gone.txt'));
    rmSync(join(dir, 'build/dir'), { recursive: true });
    writeFileSync(join(dir, 'build/dir'), 'now a file');
    rmSync(join(dir, 'build/becomes-dir'));
    mkdirSync(join(dir, 'build/becomes-dir'));
    writeFileSync(join(dir, 'build/becomes-dir/x.txt'), 'x');
    rmSync(join(dir, 'build/link-old'));
    symlinkSync('src/file2.txt', join(dir, 'build/link-new'));
    // Same path, another target: the listing does not record targets, so every link is sent.
    rmSync(join(dir, 'build/link-kept'));
    symlinkSync('src/file4.txt', join(dir, 'build/link-kept'));
    chmodSync(join(dir, 'build/src/file3.txt'), 0o755);
    const t = await deploy(dir);
    expect(t.mode).toBe('delta');
    const cur = join(root, 'current');
    expect(existsSync(join(cur, 'gone.txt'))).toBe(false);
    expect(readFileSync(join(cur, 'dir'), 'utf8')).toBe('now a file');
    expect(readFileSync(join(cur, 'becomes-dir/x.txt'), 'utf8')).toBe('x');
    expect(existsSync(join(cur, 'link-old'))).toBe(false);
    expect(readlinkSync(join(cur, 'link-new'))).toBe('src/file2.txt');
    expect(readlinkSync(join(cur, 'link-kept'))).toBe('src/file4.txt');
    expect(statSync(join(cur, 'src/file3.txt')).mode & 0o100).toBe(0o100);
    expect(existsSync(join(cur, 'empty/.keep'))).toBe(true);
  }, 60_000);

  it('a delta sends no header for a directory the cache already has, and directory modes still arrive', async () => {
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`d${i}/f.txt`, `file ${i}\n`]));
    const { dir, root } = makeApp(localStage(), { ...many, 'private/key.txt': 'k' });
    chmodSync(join(dir, 'build/private'), 0o700);
    await deploy(dir);
    expect(statSync(join(root, 'current/private')).mode & 0o777).toBe(0o700);
    writeFileSync(join(dir, 'build/d7/f.txt'), 'changed\n');
    chmodSync(join(dir, 'build/private'), 0o755);
    const t = await deploy(dir);
    expect(t.mode).toBe('delta');
    // One file and the one directory whose mode changed: 2 headers, the content and the end
    // blocks. The 60 unchanged directories would be 60 headers of 512 bytes.
    expect(t.bytes).toBeLessThanOrEqual(6 * 512);
    expect(statSync(join(root, 'current/private')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(root, 'current/d7/f.txt'), 'utf8')).toBe('changed\n');
    expect(readdirSync(join(root, 'current')).filter((n) => n.startsWith('d'))).toHaveLength(60);
  }, 60_000);

  it('a directory or link added to the cache by hand fails verification, and the next upload is full', async () => {
    for (const stray of [(c: string) => mkdirSync(join(c, 'stray-dir')), (c: string) => symlinkSync('/etc', join(c, 'stray-link'))]) {
      const { dir, root } = makeApp(localStage(), { ...files(5) });
      await deploy(dir);
      const live = readlinkSync(join(root, 'current'));
      stray(join(root, '.shipyaml/cache'));
      writeFileSync(join(dir, 'build/index.html'), 'new');
      await expectCacheRefused(dir);
      expect(readlinkSync(join(root, 'current'))).toBe(live);
      const t = await deploy(dir);
      expect(t.mode).toBe('full');
      expect(readdirSync(join(root, 'current')).filter((n) => n.startsWith('stray'))).toEqual([]);
    }
  }, 60_000);

  it('a cache listed by an older shipyaml (files only) gets a full upload', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(5), 'sub/a.txt': 'a' });
    await deploy(dir);
    const sums = join(root, '.shipyaml/cache.sums');
    const old = readFileSync(sums, 'utf8').split('\n').filter((l) => /^[0-9a-f]{32}  /.test(l));
    writeFileSync(sums, `${old.join('\n')}\n#exec\n`);
    writeFileSync(join(dir, 'build/index.html'), 'new');
    const t = await deploy(dir);
    expect(t.mode).toBe('full');
    expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe('new');
    expect((await deploy(dir)).mode).toBe('delta');
  }, 60_000);

  it('a cache tampered with by hand fails verification, changes nothing, and the next upload is full', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10) });
    await deploy(dir);
    const live = readlinkSync(join(root, 'current'));
    writeFileSync(join(root, '.shipyaml/cache/src/file5.txt'), 'tampered, same cache entry');
    writeFileSync(join(dir, 'build/index.html'), 'new');
    await expectCacheRefused(dir);
    expect(readlinkSync(join(root, 'current'))).toBe(live);
    expect(readdirSync(join(root, 'releases'))).toEqual([live.replace('releases/', '')]);
    const t = await deploy(dir);
    expect(t.mode).toBe('full');
    expect(readFileSync(join(root, 'current/src/file5.txt'), 'utf8')).toBe(readFileSync(join(dir, 'build/src/file5.txt'), 'utf8'));
  }, 60_000);
  it('a delta hashes again only the files changed since the last listing', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(40) });
    const { env, log } = toolShim(dir, 'md5sum');
    const run = async (...extra: string[]) => {
      writeFileSync(log, '');
      const r = await runCli(['deploy', 'local', '--json', ...extra], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      // The files md5sum was given (the listing's own digest reads stdin: no arguments).
      return readFileSync(log, 'utf8').split('\n').flatMap((l) => l.split(' ').filter((a) => a.startsWith('./')));
    };
    expect((await run()).length).toBe(40);
    writeFileSync(join(dir, 'build/src/file7.txt'), 'changed');
    const hashed = await run();
    expect(hashed).toEqual(['./src/file7.txt']);
    expect(readFileSync(join(root, 'current/src/file7.txt'), 'utf8')).toBe('changed');
    expect(readdirSync(join(root, 'current/src'))).toHaveLength(40);
    // A listing with no marker beside it is not trusted: everything is hashed.
    rmSync(join(root, '.shipyaml/cache.mark'));
    writeFileSync(join(dir, 'build/src/file8.txt'), 'changed too');
    expect((await run()).length).toBe(40);
  }, 60_000);

  it('a cache file edited by hand is caught even with its size and mtime put back', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10) });
    await deploy(dir);
    const f = join(root, '.shipyaml/cache/src/file5.txt');
    const before = statSync(f);
    writeFileSync(f, readFileSync(f, 'utf8').replace('content', 'CONTENT'));
    utimesSync(f, before.atime, before.mtime);
    expect(statSync(f).size).toBe(before.size);
    writeFileSync(join(dir, 'build/index.html'), 'new');
    await expectCacheRefused(dir);
  }, 60_000);

  it('after the clock went back (a marker in the future), a hand edit is still caught', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10) });
    await deploy(dir);
    writeFileSync(join(root, '.shipyaml/cache/src/file2.txt'), 'tampered');
    // The edit now looks older than the marker, as after the server's clock was set back.
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(join(root, '.shipyaml/cache.mark'), future, future);
    writeFileSync(join(dir, 'build/index.html'), 'new');
    await expectCacheRefused(dir);
    const t = await deploy(dir);
    expect(t.mode).toBe('full');
    expect(readFileSync(join(root, 'current/src/file2.txt'), 'utf8')).toBe(readFileSync(join(dir, 'build/src/file2.txt'), 'utf8'));
  }, 60_000);

  it('where find has no -cnewer (busybox), a delta hashes everything and is still right', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(10) });
    const { env, log } = toolShim(dir, 'find', { option: '-cnewer', complaint: 'unrecognized: -cnewer' });
    for (const v of ['one', 'two']) {
      writeFileSync(join(dir, 'build/index.html'), v);
      const r = await runCli(['deploy', 'local', '--json'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(root, 'current/index.html'), 'utf8')).toBe(v);
    }
    expect(readFileSync(log, 'utf8')).toContain('-cnewer');
    writeFileSync(join(root, '.shipyaml/cache/src/file3.txt'), 'tampered');
    writeFileSync(join(dir, 'build/index.html'), 'three');
    await expectCacheRefused(dir, env);
  }, 60_000);
  it('the release is copied while the cache is hashed; a refused upload waits for its copy and leaves no release', async () => {
    const { dir, root } = makeApp(localStage(), { ...files(40) });
    // A cp that takes a second, and an md5sum, both logging when they run.
    const bin = join(dir, 'slow-bin');
    const log = join(dir, 'order.log');
    mkdirSync(bin);
    writeFileSync(join(bin, 'cp'), `#!/bin/sh\necho 'cp start' >> '${log}'\nsleep 1\n/bin/cp "$@"; rc=$?\necho 'cp end' >> '${log}'\nexit $rc\n`);
    writeFileSync(join(bin, 'md5sum'), `#!/bin/sh\necho 'md5sum' >> '${log}'\nexec /usr/bin/md5sum "$@"\n`);
    chmodSync(join(bin, 'cp'), 0o755);
    chmodSync(join(bin, 'md5sum'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const order = () => readFileSync(log, 'utf8').trim().split('\n');
    const first = await runCli(['deploy', 'local'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const ran = order();
    expect(ran.indexOf('md5sum')).toBeGreaterThan(ran.indexOf('cp start'));
    expect(ran.indexOf('md5sum')).toBeLessThan(ran.indexOf('cp end'));
    const live = readdirSync(join(root, 'releases'));
    expect(live).toHaveLength(1);
    expect(readdirSync(join(root, 'current/src'))).toHaveLength(40);
    // Refused after the copy started: the step ends only once the copy has, and the release goes.
    writeFileSync(log, '');
    writeFileSync(join(root, '.shipyaml/cache/src/file5.txt'), 'tampered');
    writeFileSync(join(dir, 'build/index.html'), 'new');
    const refused = await runCli(['deploy', 'local'], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('differs from the build');
    expect(order().at(-1)).toBe('cp end');
    expect(readdirSync(join(root, 'releases'))).toEqual(live);
  }, 60_000);
});
