import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, chown, lchown, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile, link } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { copyUp } from './copy-up.js';

const isRoot = process.getuid?.() === 0;

describe('copyUp', () => {
  let dir: string;
  let rootfs: string;
  let outside: string;
  let volume: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mounts-copyup-'));
    rootfs = join(dir, 'rootfs');
    outside = join(dir, 'outside');
    volume = join(dir, 'volume');
    await mkdir(join(rootfs, 'data/sub'), { recursive: true });
    await mkdir(outside);
    await mkdir(volume);
    await writeFile(join(outside, 'secret'), 'host secret');
    await writeFile(join(rootfs, 'data/file'), 'hello');
    await chmod(join(rootfs, 'data/file'), 0o640);
    await writeFile(join(rootfs, 'data/sub/deep'), 'deep');
    await symlink('../file', join(rootfs, 'data/sub/rel-link'));
    await symlink('/etc/passwd', join(rootfs, 'data/abs-link'));
    await link(join(rootfs, 'data/file'), join(rootfs, 'data/hard'));
    await chmod(join(rootfs, 'data'), 0o750);
    await utimes(join(rootfs, 'data/file'), 1_000_000, 1_000_000);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies files, directories, symlinks as links, hard links, modes and times into an empty volume', async () => {
    assert.equal(await copyUp(rootfs, '/data', volume), true);
    assert.deepEqual((await readdir(volume)).sort(), ['abs-link', 'file', 'hard', 'sub']);
    assert.equal(await readFile(join(volume, 'file'), 'utf8'), 'hello');
    assert.equal(await readFile(join(volume, 'sub/deep'), 'utf8'), 'deep');
    assert.equal(await readlink(join(volume, 'sub/rel-link')), '../file');
    assert.equal(await readlink(join(volume, 'abs-link')), '/etc/passwd');
    assert.equal((await stat(join(volume, 'file'))).mode & 0o7777, 0o640);
    assert.equal((await stat(join(volume, 'file'))).mtimeMs, 1_000_000_000);
    assert.equal((await stat(join(volume, 'hard'))).ino, (await stat(join(volume, 'file'))).ino);
    assert.equal((await stat(volume)).mode & 0o7777, 0o750, 'the volume root takes the image directory\'s mode');
  });

  it('keeps owners', { skip: !isRoot && 'needs root' }, async () => {
    await chown(join(rootfs, 'data/file'), 1234, 5678);
    await chown(join(rootfs, 'data'), 42, 43);
    await symlink('x', join(rootfs, 'data/owned-link'));
    await lchown(join(rootfs, 'data/owned-link'), 7, 8);
    await copyUp(rootfs, '/data', volume);
    const file = await stat(join(volume, 'file'));
    assert.deepEqual([file.uid, file.gid], [1234, 5678]);
    const root = await stat(volume);
    assert.deepEqual([root.uid, root.gid], [42, 43]);
    const l = await lstat(join(volume, 'owned-link'));
    assert.deepEqual([l.uid, l.gid], [7, 8]);
  });

  it('copies FIFOs', { skip: !isRoot && 'needs root' }, async () => {
    execFileSync('mkfifo', [join(rootfs, 'data/fifo')]);
    await copyUp(rootfs, '/data', volume);
    assert.ok((await lstat(join(volume, 'fifo'))).isFIFO());
  });

  it('does nothing when the volume is not empty', async () => {
    await writeFile(join(volume, 'mine'), 'keep');
    assert.equal(await copyUp(rootfs, '/data', volume), false);
    assert.deepEqual(await readdir(volume), ['mine']);
  });

  it('does nothing when the destination is missing or not a directory', async () => {
    assert.equal(await copyUp(rootfs, '/nope', volume), false);
    assert.equal(await copyUp(rootfs, '/data/file', volume), false);
    assert.deepEqual(await readdir(volume), []);
  });

  it('resolves a symlinked destination inside the rootfs, never outside it', async () => {
    // /escape -> ../../outside, and /abs -> <host path of outside>: both must stay in the rootfs.
    await symlink('../../outside', join(rootfs, 'escape'));
    await symlink(outside, join(rootfs, 'abs'));
    assert.equal(await copyUp(rootfs, '/escape', volume), false);
    assert.equal(await copyUp(rootfs, '/abs', volume), false);
    assert.deepEqual(await readdir(volume), [], 'nothing from the host was copied');

    // A symlink that stays inside is followed as the container would: /link -> /data.
    await symlink('/data', join(rootfs, 'link'));
    assert.equal(await copyUp(rootfs, '/link', volume), true);
    assert.equal(await readFile(join(volume, 'file'), 'utf8'), 'hello');
  });

  it('copies a symlink to a host directory as a link, not its content', async () => {
    await symlink(outside, join(rootfs, 'data/sub/to-host'));
    await copyUp(rootfs, '/data', volume);
    assert.ok((await lstat(join(volume, 'sub/to-host'))).isSymbolicLink());
    assert.equal(await readlink(join(volume, 'sub/to-host')), outside);
  });
});
