import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKind } from '../../lib/errdefs/index.js';
import { mknod, S_IFCHR, S_IFIFO, makedev, lutimes } from '../sys/index.js';
import {
  decodePathStat, encodePathStat, goFileMode, MODE_CHAR_DEVICE, MODE_DEVICE, MODE_DIR, MODE_NAMED_PIPE,
  MODE_SETUID, MODE_STICKY, MODE_SYMLINK, rfc3339Nano, statPath,
} from './stat-path.js';
import { overlay, tempDir } from './test-fixtures.js';

test('encodePathStat gives the header Docker sends for /tmp', () => {
  const header = encodePathStat({ name: 'tmp', size: 4096, mode: 2147484141, mtime: '2026-11-23T16:37:57Z', linkTarget: '' });
  assert.equal(header, 'eyJuYW1lIjoidG1wIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDE0MSwibXRpbWUiOiIyMDI2LTExLTIzVDE2OjM3OjU3WiIsImxpbmtUYXJnZXQiOiIifQ==');
  assert.deepEqual(decodePathStat(header).mode, 2147484141);
});

test('goFileMode and rfc3339Nano follow Go', () => {
  assert.equal(goFileMode(0o40755), MODE_DIR + 0o755);
  assert.equal(goFileMode(0o41777), MODE_DIR + MODE_STICKY + 0o777);
  assert.equal(goFileMode(0o104755), MODE_SETUID + 0o755);
  assert.equal(goFileMode(0o120777), MODE_SYMLINK + 0o777);
  assert.equal(goFileMode(0o20666), MODE_DEVICE + MODE_CHAR_DEVICE + 0o666);
  assert.equal(goFileMode(0o10644), MODE_NAMED_PIPE + 0o644);
  assert.equal(rfc3339Nano(1_600_000_000_000_000_000n), '2020-09-13T12:26:40Z');
  assert.equal(rfc3339Nano(1_600_000_000_120_000_000n), '2020-09-13T12:26:40.12Z');
  assert.equal(rfc3339Nano(1_600_000_000_000_000_001n), '2020-09-13T12:26:40.000000001Z');
});

test('statPath of a file, a directory, a symlink, a device and a missing path in an overlay rootfs', async (t) => {
  const fx = await overlay(t, 1, ([lower]) => {
    mkdirSync(join(lower!, 'etc'), 0o755);
    writeFileSync(join(lower!, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    chmodSync(join(lower!, 'etc', 'passwd'), 0o644);
    utimesSync(join(lower!, 'etc', 'passwd'), 1_600_000_000, 1_600_000_000);
    mkdirSync(join(lower!, 'real'));
    writeFileSync(join(lower!, 'real', 'f'), 'in real');
    symlinkSync('/real', join(lower!, 'abs'));
    symlinkSync('../../../../real/f', join(lower!, 'climb'));
    symlinkSync('nowhere', join(lower!, 'dangling'));
  });
  const root = fx.merged;
  mknod(join(root, 'null'), S_IFCHR | 0o666, makedev(1, 3));
  mknod(join(root, 'fifo'), S_IFIFO | 0o600);
  chmodSync(join(root, 'null'), 0o666);

  const file = await statPath(root, '/etc/passwd');
  assert.deepEqual(file, { name: 'passwd', size: 26, mode: 0o644, mtime: '2020-09-13T12:26:40Z', linkTarget: '' });

  const dir = await statPath(root, 'etc');
  assert.equal(dir.name, 'etc');
  assert.equal(dir.mode, MODE_DIR + 0o755);

  assert.equal((await statPath(root, '/etc/.')).name, '.');
  assert.equal((await statPath(root, '/')).name, '/');

  const link = await statPath(root, '/abs');
  assert.equal(link.mode, MODE_SYMLINK + 0o777);
  assert.equal(link.linkTarget, '/real');
  // A relative target climbing past the root stays inside it.
  assert.equal((await statPath(root, '/climb')).linkTarget, '/real/f');
  assert.equal((await statPath(root, '/dangling')).linkTarget, '/nowhere');
  // A symlinked parent is resolved inside the root; the final one is not followed.
  assert.equal((await statPath(root, '/abs/f')).size, 7);
  assert.equal((await statPath(root, '/abs/')).mode, MODE_DIR + 0o755);

  assert.equal((await statPath(root, '/null')).mode, MODE_DEVICE + MODE_CHAR_DEVICE + 0o666);
  assert.equal((await statPath(root, '/fifo')).mode, MODE_NAMED_PIPE + 0o600);

  await assert.rejects(statPath(root, '/nonexistent', { container: 'sleeper' }), (err: Error) => {
    assert.ok(isKind(err, 'not-found'));
    assert.equal(err.message, 'Could not find the file /nonexistent in container sleeper');
    return true;
  });
  await assert.rejects(statPath(root, '/etc/passwd/'), (err: Error) => isKind(err, 'invalid-argument'));
});

test('statPath never reaches outside the root through an absolute symlink', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  writeFileSync(join(outside, 'secret'), 'host secret');
  // An absolute link to the host directory: inside the root it means /<outside>.
  symlinkSync(outside, join(root, 'host'));
  await assert.rejects(statPath(root, '/host/secret'), (err: Error) => isKind(err, 'not-found'));
  lutimes(join(root, 'host'), { sec: 1, nsec: 0 }, { sec: 1, nsec: 5 });
  assert.equal((await statPath(root, '/host')).mtime, '1970-01-01T00:00:01.000000005Z');
});
