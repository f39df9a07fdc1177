import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKind } from '../../lib/errdefs/index.js';
import { chunked, tarOf, type FixtureEntry } from '../archive/tar-fixture.js';
import { extractArchive, type ExtractOptions } from './extract-archive.js';
import { overlay, tempDir } from './test-fixtures.js';

async function rootfs(t: Parameters<typeof overlay>[0]) {
  return overlay(t, 1, ([lower]) => {
    const l = lower!;
    mkdirSync(join(l, 'tmp'));
    mkdirSync(join(l, 'etc'));
    writeFileSync(join(l, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n');
    writeFileSync(join(l, 'etc/group'), 'root:x:0:\napp:x:1001:\n');
    writeFileSync(join(l, 'tmp/file'), 'a file');
    mkdirSync(join(l, 'tmp/dir'));
    symlinkSync('/tmp', join(l, 'tmplink'));
  });
}

const extract = async (root: string, path: string, entries: FixtureEntry[], opts?: ExtractOptions) =>
  extractArchive(root, path, chunked(await tarOf(entries), 512), opts);

test('extractArchive writes files, dirs, symlinks, hard links with owners, modes and times', async (t) => {
  const fx = await rootfs(t);
  const mtime = new Date(1_500_000_000_000);
  const res = await extract(fx.merged, '/tmplink', [
    { name: 'new/', mode: 0o750, uid: 7, gid: 8, mtime },
    { name: 'new/bin', content: 'ELF', mode: 0o4755, uid: 7, gid: 8, mtime },
    { name: 'new/sh', type: 'symlink', linkname: 'bin' },
    { name: 'new/hard', type: 'link', linkname: 'new/bin' },
    { name: 'implied/parent/f', content: 'x' },
  ]);
  assert.equal(res.entries, 5);
  const tmp = join(fx.merged, 'tmp');
  const bin = lstatSync(join(tmp, 'new/bin'));
  assert.deepEqual([bin.mode & 0o7777, bin.uid, bin.gid, bin.mtimeMs, bin.nlink], [0o4755, 7, 8, 1_500_000_000_000, 2]);
  const dir = lstatSync(join(tmp, 'new'));
  assert.deepEqual([dir.mode & 0o7777, dir.uid, dir.mtimeMs], [0o750, 7, 1_500_000_000_000]);
  assert.equal(readlinkSync(join(tmp, 'new/sh')), 'bin');
  assert.equal(lstatSync(join(tmp, 'implied/parent')).mode & 0o7777, 0o755);
  // The change went to the container's layer.
  assert.equal(readFileSync(join(fx.upper, 'tmp/new/bin'), 'utf8'), 'ELF');
});

test('extractArchive with copyUIDGID owns everything as the container user', async (t) => {
  const fx = await rootfs(t);
  await extract(fx.merged, '/tmp', [{ name: 'owned', content: 'x', uid: 0, gid: 0 }], { copyUIDGID: true, user: 'app' });
  const st = lstatSync(join(fx.merged, 'tmp/owned'));
  assert.deepEqual([st.uid, st.gid], [1000, 1001]);
});

test('extractArchive: missing destination, non-directory destination, corrupt tar', async (t) => {
  const fx = await rootfs(t);
  await assert.rejects(extract(fx.merged, '/nope', [], { container: 'c' }), (err: Error) =>
    isKind(err, 'not-found') && err.message === 'Could not find the file /nope in container c');
  await assert.rejects(extract(fx.merged, '/tmp/file', []), (err: Error) =>
    isKind(err, 'invalid-argument') && err.message === 'extraction point is not a directory');
  const garbage = Buffer.alloc(1024, 0x41);
  await assert.rejects(extractArchive(fx.merged, '/tmp', chunked(garbage)), (err: Error) =>
    isKind(err, 'invalid-argument') && /checksum/.test(err.message));
  const good = await tarOf([{ name: 'cut', content: 'x'.repeat(2000) }]);
  await assert.rejects(extractArchive(fx.merged, '/tmp', chunked(good.subarray(0, 1024))), (err: Error) =>
    isKind(err, 'invalid-argument') && /truncated/.test(err.message));
});

test('extractArchive with noOverwriteDirNonDir words its refusals as Docker', async (t) => {
  const fx = await rootfs(t);
  await assert.rejects(extract(fx.merged, '/tmp', [{ name: 'dir', content: 'x' }], { noOverwriteDirNonDir: true }), (err: Error) => {
    assert.equal(err.message, 'cannot overwrite directory "/tmp/dir" with non-directory "/tmp"');
    return true;
  });
  await assert.rejects(extract(fx.merged, '/tmp', [{ name: 'file/' }], { noOverwriteDirNonDir: true }), (err: Error) => {
    assert.equal(err.message, 'cannot overwrite non-directory "/tmp/file" with directory "/tmp"');
    return true;
  });
  // Without the option, the entry replaces what was there.
  await extract(fx.merged, '/tmp', [{ name: 'dir', content: 'now a file' }]);
  assert.equal(readFileSync(join(fx.merged, 'tmp/dir'), 'utf8'), 'now a file');
});

test('extractArchive refuses hostile tars and writes nothing outside the root', async (t) => {
  const fx = await rootfs(t);
  const outside = tempDir(t, 'moby-rootfs-outside-');
  writeFileSync(join(outside, 'shadow'), 'host shadow');
  // The container itself planted a symlink to the host directory.
  symlinkSync(outside, join(fx.merged, 'tmp/planted'));
  const hostile: [string, FixtureEntry[], RegExp][] = [
    ['dot-dot name', [{ name: '../../../../../../x', content: 'x' }], /"\.\." component/],
    ['dot-dot in the middle', [{ name: 'a/../../b', content: 'x' }], /"\.\." component/],
    ['absolute symlink then a file through it', [
      { name: 'evil', type: 'symlink', linkname: outside },
      { name: 'evil/pwned', content: 'x' },
    ], /goes through the symlink \/tmp\/evil/],
    ['file through a symlink already there', [{ name: 'planted/pwned', content: 'x' }], /goes through the symlink \/tmp\/planted/],
    ['hard link out of the destination', [{ name: 'h', type: 'link', linkname: '../../../../../../etc/shadow' }], /"\.\." component/],
    ['hard link to a host-like absolute path', [{ name: 'h2', type: 'link', linkname: `${outside}/shadow` }], /does not exist|not a directory/],
    ['hard link through the planted symlink', [{ name: 'h3', type: 'link', linkname: 'planted/shadow' }], /goes through the symlink/],
    ['symlink climbing out of the destination', [{ name: 'up', type: 'symlink', linkname: '../../../../etc' }], /invalid symlink/],
  ];
  for (const [what, entries, message] of hostile) {
    await assert.rejects(extract(fx.merged, '/tmp', entries), (err: Error) => {
      assert.ok(isKind(err, 'invalid-argument'), `${what}: ${err.message}`);
      assert.match(err.message, message, what);
      return true;
    }, what);
  }
  // A type flag nothing handles (here GNU sparse, 'S') is refused, not guessed at.
  const raw = await tarOf([{ name: 'sparse', content: 'x' }]);
  raw.write('S', 156, 'latin1');
  raw.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += raw[i]!;
  raw.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  await assert.rejects(extractArchive(fx.merged, '/tmp', chunked(raw)), (err: Error) =>
    isKind(err, 'invalid-argument') && /unhandled tar header type "S"/.test(err.message));
  assert.deepEqual(readdirSync(outside).sort(), ['shadow']);
  assert.equal(readFileSync(join(outside, 'shadow'), 'utf8'), 'host shadow');
  assert.ok(!existsSync(join(fx.base, 'x')) && !existsSync(join(fx.base, 'b')));
  // The symlink part of a refused tar was written (as Docker: entries before the refusal stay), nothing through it.
  assert.equal(readlinkSync(join(fx.merged, 'tmp/evil')), outside);
});
