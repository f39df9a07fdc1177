import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isKind } from '../../lib/errdefs/index.js';
import { lgetxattr, lutimes, lchown, mknod, makedev, S_IFCHR, lsetxattr } from '../sys/index.js';
import { applyLayer } from './apply-layer.js';
import { chunked, tarOf, tgzOf } from './tar-fixture.js';

function tempDir(t: TestContext, prefix = 'moby-apply-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sha256 = (buf: Buffer) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

/** A small tree with every kind of entry, made with real syscalls, packed by GNU tar. */
function gnuTarOfRichTree(t: TestContext): Buffer {
  const src = join(tempDir(t, 'moby-apply-src-'), 'tree');
  mkdirSync(join(src, 'd/sticky'), { recursive: true });
  writeFileSync(join(src, 'd/suid'), 'content');
  lchown(join(src, 'd/suid'), 1000, 1001);
  execFileSync('chmod', ['4755', join(src, 'd/suid')]);
  execFileSync('chmod', ['1777', join(src, 'd/sticky')]);
  execFileSync('ln', [join(src, 'd/suid'), join(src, 'd/hard')]);
  execFileSync('ln', ['-s', 'suid', join(src, 'd/sym')]);
  mknod(join(src, 'd/null'), S_IFCHR | 0o666, makedev(1, 3));
  execFileSync('mkfifo', [join(src, 'd/fifo')]);
  lsetxattr(join(src, 'd/suid'), 'user.bin', Buffer.from([0, 0xff, 0x80, 1]));
  writeFileSync(join(src, 'd/' + 'n'.repeat(180)), 'long name');
  lutimes(join(src, 'd/suid'), { sec: 981173106, nsec: 123456789 }, { sec: 981173106, nsec: 123456789 });
  lutimes(join(src, 'd'), { sec: 1_000_000_000, nsec: 0 }, { sec: 1_000_000_000, nsec: 0 });
  return execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=pax', '-C', src, '-cf', '-', '.'], { maxBuffer: 1 << 24 });
}

test('applyLayer keeps owners, special modes, nanosecond times, links, devices, FIFOs, xattrs and long names', async (t) => {
  const layer = gnuTarOfRichTree(t);
  const dir = tempDir(t);
  const result = await applyLayer(dir, chunked(layer, 1000));
  assert.deepEqual(result.warnings, []);
  const st = lstatSync(join(dir, 'd/suid'), { bigint: true });
  assert.equal(st.mode & 0o7777n, 0o4755n);
  assert.equal([st.uid, st.gid].join(':'), '1000:1001');
  assert.equal(st.mtimeNs, 981173106_123456789n);
  assert.equal(lstatSync(join(dir, 'd/sticky')).mode & 0o7777, 0o1777);
  assert.equal(lstatSync(join(dir, 'd/hard')).ino, lstatSync(join(dir, 'd/suid')).ino);
  assert.equal(readlinkSync(join(dir, 'd/sym')), 'suid');
  assert.equal(lstatSync(join(dir, 'd/null')).rdev, Number(makedev(1, 3)));
  assert.ok(lstatSync(join(dir, 'd/fifo')).isFIFO());
  assert.deepEqual(lgetxattr(join(dir, 'd/suid'), 'user.bin'), Buffer.from([0, 0xff, 0x80, 1]));
  assert.equal(readFileSync(join(dir, 'd/' + 'n'.repeat(180)), 'utf8'), 'long name');
  assert.equal(lstatSync(join(dir, 'd')).mtimeMs, 1_000_000_000_000, 'directory time set after its children');
});

test('applyLayer returns the diff id and the digest of the compressed blob', async (t) => {
  const tarball = await tarOf([{ name: 'a', content: 'A' }]);
  const gz = gzipSync(tarball);
  const viaGzip = await applyLayer(tempDir(t), chunked(gz, 7));
  assert.equal(viaGzip.compression, 'gzip');
  assert.equal(viaGzip.diffId, sha256(tarball));
  assert.equal(viaGzip.digest, sha256(gz));
  assert.equal(viaGzip.size, gz.length);
  assert.equal(viaGzip.uncompressedSize, tarball.length);
  const plain = await applyLayer(tempDir(t), chunked(tarball));
  assert.equal(plain.compression, 'none');
  assert.equal(plain.diffId, sha256(tarball));
  assert.equal(plain.digest, sha256(tarball));
});

test('applyLayer with digest: false hashes only the uncompressed tar (the diff ID)', async (t) => {
  const tarball = await tarOf([{ name: 'a', content: 'A' }]);
  const gz = gzipSync(tarball);
  const applied = await applyLayer(tempDir(t), chunked(gz, 7), { digest: false });
  assert.equal(applied.diffId, sha256(tarball));
  assert.equal(applied.digest, undefined);
  assert.equal(applied.size, gz.length);
});

test('applyLayer counts padding after the end-of-archive marker in the diff id', async (t) => {
  const padded = Buffer.concat([await tarOf([{ name: 'a', content: 'A' }]), Buffer.alloc(8192)]);
  const result = await applyLayer(tempDir(t), chunked(padded, 1500));
  assert.equal(result.diffId, sha256(padded));
});

test('applyLayer turns whiteouts into 0/0 character devices and opaque markers into the overlay xattr', async (t) => {
  const dir = tempDir(t);
  await applyLayer(dir, chunked(await tgzOf([
    { name: 'etc/' },
    { name: 'etc/.wh.passwd', content: '', uid: 7, gid: 8 },
    { name: 'opaque/' },
    { name: 'opaque/.wh..wh..opq', content: '' },
    { name: 'opaque/new', content: 'n' },
    { name: '.wh..wh.plnk/123', content: 'aufs metadata' },
  ])));
  const wh = lstatSync(join(dir, 'etc/passwd'));
  assert.ok(wh.isCharacterDevice());
  assert.equal(wh.rdev, 0);
  assert.equal(`${wh.uid}:${wh.gid}`, '7:8');
  assert.equal(lgetxattr(join(dir, 'opaque'), 'trusted.overlay.opaque')?.toString(), 'y');
  assert.deepEqual(readdirSync(join(dir, 'opaque')), ['new']);
  assert.deepEqual(readdirSync(dir).sort(), ['etc', 'opaque']);
});

test('applyLayer replaces earlier entries and merges directories as Docker does', async (t) => {
  const dir = tempDir(t);
  await applyLayer(dir, chunked(await tarOf([
    { name: 'x/', mode: 0o700 },
    { name: 'x/keep', content: 'k' },
    { name: 'x/', mode: 0o755 },
    { name: 'f', content: 'old' },
    { name: 'f', content: 'new' },
    { name: 'gone', content: 'g' },
    { name: '.wh.gone', content: '' },
  ])));
  assert.equal(readFileSync(join(dir, 'x/keep'), 'utf8'), 'k');
  assert.equal(lstatSync(join(dir, 'x')).mode & 0o777, 0o755);
  assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'new');
  assert.ok(lstatSync(join(dir, 'gone')).isCharacterDevice());
});

test('applyLayer refuses a truncated gzip stream', async (t) => {
  const gz = await tgzOf([{ name: 'a', content: 'x'.repeat(10000) }]);
  await assert.rejects(applyLayer(tempDir(t), chunked(gz.subarray(0, gz.length - 10))), (err: unknown) => {
    assert.ok(isKind(err, 'invalid-argument'));
    assert.match((err as Error).message, /gzip: unexpected end of file/);
    return true;
  });
});

test('applyLayer refuses a tar cut inside an entry or before the end-of-archive marker', async (t) => {
  const tarball = await tarOf([{ name: 'a', content: 'x'.repeat(3000) }, { name: 'b', content: 'y' }]);
  await assert.rejects(applyLayer(tempDir(t), chunked(tarball.subarray(0, 1024))), /truncated stream: in the data of a/);
  const atEntryBoundary = 512 + 3072 + 512 + 512; // a's header and data, b's header and data
  await assert.rejects(applyLayer(tempDir(t), chunked(tarball.subarray(0, atEntryBoundary))), /truncated stream: no end-of-archive marker/);
  await assert.rejects(applyLayer(tempDir(t), chunked(Buffer.alloc(0))), /no end-of-archive marker/);
});

test('applyLayer names zstd as unsupported rather than calling it a corrupt tar', async (t) => {
  let released = false;
  async function* zstdBlob(): AsyncGenerator<Buffer> {
    try {
      yield Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
      yield Buffer.alloc(100);
    } finally {
      released = true;
    }
  }
  await assert.rejects(applyLayer(tempDir(t), zstdBlob()), (err: unknown) => isKind(err, 'not-implemented'));
  assert.ok(released, 'the source is closed');
});

test('applyLayer refuses a stream that is not a tar', async (t) => {
  const junk = Buffer.alloc(1024, 'j');
  await assert.rejects(applyLayer(tempDir(t), chunked(junk)), /checksum/);
});
