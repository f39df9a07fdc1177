import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKind } from '../../lib/errdefs/index.js';
import { mount, umount2, MNT_DETACH, MS_BIND, MS_RDONLY, MS_REMOUNT, MOUNT_DATA_MAX } from './mount.js';
import { SyscallError } from './syscall-error.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'moby-sys-'));
  t.after(() => {
    try { umount2(dir, MNT_DETACH); } catch { /* not mounted */ }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('mount attaches a tmpfs and umount2 detaches it', (t) => {
  const dir = tempDir(t);
  mount('tmpfs', dir, 'tmpfs', 0, 'size=1m,mode=0755');
  writeFileSync(join(dir, 'inside'), 'x');
  umount2(dir);
  assert.equal(existsSync(join(dir, 'inside')), false);
});

test('mount with MS_BIND then read-only remount refuses writes', (t) => {
  const src = tempDir(t);
  const dst = tempDir(t);
  writeFileSync(join(src, 'f'), 'hello');
  mount(src, dst, null, MS_BIND);
  mount(null, dst, null, MS_BIND | MS_REMOUNT | MS_RDONLY);
  try {
    assert.equal(readFileSync(join(dst, 'f'), 'utf8'), 'hello');
    assert.throws(() => writeFileSync(join(dst, 'g'), 'x'), { code: 'EROFS' });
  } finally {
    umount2(dst);
  }
});

test('umount2 of a directory that is not a mount point throws EINVAL with the path', (t) => {
  const dir = tempDir(t);
  assert.throws(() => umount2(dir), (err: unknown) => {
    assert.ok(err instanceof SyscallError);
    assert.equal(err.code, 'EINVAL');
    assert.match(err.message, new RegExp(`umount2 ${dir}: EINVAL`));
    return true;
  });
});

test('mount of a missing target throws ENOENT as a not-found error', () => {
  assert.throws(() => mount('tmpfs', '/nonexistent-moby-target', 'tmpfs', 0), (err: unknown) => {
    assert.ok(err instanceof SyscallError);
    assert.equal(err.code, 'ENOENT');
    assert.ok(isKind(err, 'not-found'));
    return true;
  });
});

test('mount refuses option data longer than one page instead of letting the kernel cut it', (t) => {
  const dir = tempDir(t);
  const data = `size=1m,${'x'.repeat(MOUNT_DATA_MAX)}`;
  assert.throws(() => mount('tmpfs', dir, 'tmpfs', 0, data), (err: unknown) => isKind(err, 'invalid-argument'));
});
