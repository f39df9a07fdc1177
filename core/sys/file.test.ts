import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, symlinkSync, lstatSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mknod, makedev, lchown, lutimes, S_IFCHR, S_IFIFO, S_IFBLK } from './file.js';
import { SyscallError } from './syscall-error.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'moby-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('makedev encodes major and minor as glibc does', () => {
  assert.equal(makedev(1, 3), 0x103n);
  assert.equal(makedev(8, 1), 0x801n);
  assert.equal(makedev(0x1234, 0x56789), 0x1000_5672_3489n);
});

test('mknod creates a 0/0 character device, a block device and a FIFO', (t) => {
  const dir = tempDir(t);
  mknod(join(dir, 'wh'), S_IFCHR | 0o600, 0n);
  mknod(join(dir, 'null'), S_IFCHR | 0o666, makedev(1, 3));
  mknod(join(dir, 'blk'), S_IFBLK | 0o600, makedev(7, 0));
  mknod(join(dir, 'fifo'), S_IFIFO | 0o644);
  const wh = lstatSync(join(dir, 'wh'));
  assert.ok(wh.isCharacterDevice());
  assert.equal(wh.rdev, 0);
  assert.equal(lstatSync(join(dir, 'null')).rdev, statSync('/dev/null').rdev);
  assert.ok(lstatSync(join(dir, 'blk')).isBlockDevice());
  assert.equal(lstatSync(join(dir, 'blk')).rdev, Number(makedev(7, 0)));
  assert.ok(lstatSync(join(dir, 'fifo')).isFIFO());
});

test('mknod over an existing name throws EEXIST', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'f'), '');
  assert.throws(() => mknod(join(dir, 'f'), S_IFIFO | 0o644), (err: unknown) => err instanceof SyscallError && err.code === 'EEXIST');
});

test('lchown changes the owner of a symlink and leaves its target alone', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'target'), '');
  symlinkSync('target', join(dir, 'link'));
  lchown(join(dir, 'link'), 1234, 5678);
  assert.equal(lstatSync(join(dir, 'link')).uid, 1234);
  assert.equal(lstatSync(join(dir, 'link')).gid, 5678);
  assert.equal(statSync(join(dir, 'target')).uid, 0);
});

test('lutimes sets nanosecond times on a symlink without touching its target', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'target'), '');
  symlinkSync('target', join(dir, 'link'));
  const before = statSync(join(dir, 'target'), { bigint: true }).mtimeNs;
  lutimes(join(dir, 'link'), { sec: 1_000_000_000, nsec: 5 }, { sec: 1_600_000_000, nsec: 123_456_789 });
  const st = lstatSync(join(dir, 'link'), { bigint: true });
  assert.equal(st.mtimeNs, 1_600_000_000_123_456_789n);
  assert.equal(st.atimeNs, 1_000_000_000_000_000_005n);
  assert.equal(statSync(join(dir, 'target'), { bigint: true }).mtimeNs, before);
});
