import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lsetxattr, lgetxattr, llistxattr } from './xattr.js';
import { SyscallError } from './syscall-error.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'moby-xattr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('lsetxattr stores binary values that lgetxattr and llistxattr read back', (t) => {
  const file = join(tempDir(t), 'f');
  writeFileSync(file, '');
  const binary = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80]);
  lsetxattr(file, 'user.bin', binary);
  lsetxattr(file, 'trusted.overlay.opaque', 'y');
  assert.deepEqual(lgetxattr(file, 'user.bin'), binary);
  assert.equal(lgetxattr(file, 'trusted.overlay.opaque')?.toString(), 'y');
  assert.deepEqual(llistxattr(file).sort(), ['trusted.overlay.opaque', 'user.bin']);
});

test('lgetxattr returns undefined for an attribute the file does not have', (t) => {
  const file = join(tempDir(t), 'f');
  writeFileSync(file, '');
  assert.equal(lgetxattr(file, 'user.none'), undefined);
  assert.deepEqual(llistxattr(file), []);
});

test('lsetxattr acts on a symlink itself, not on its target', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'target'), '');
  symlinkSync('target', join(dir, 'link'));
  lsetxattr(join(dir, 'link'), 'trusted.test', 'on-link');
  assert.equal(lgetxattr(join(dir, 'link'), 'trusted.test')?.toString(), 'on-link');
  assert.equal(lgetxattr(join(dir, 'target'), 'trusted.test'), undefined);
});

test('lsetxattr on a missing path throws ENOENT naming the path and attribute', (t) => {
  const missing = join(tempDir(t), 'missing');
  assert.throws(() => lsetxattr(missing, 'user.a', 'b'), (err: unknown) => {
    assert.ok(err instanceof SyscallError);
    assert.equal(err.code, 'ENOENT');
    assert.equal(err.message, `lsetxattr ${missing} user.a: ENOENT`);
    return true;
  });
});
