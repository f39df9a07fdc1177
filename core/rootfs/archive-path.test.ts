import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, linkSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isKind } from '../../lib/errdefs/index.js';
import { lsetxattr } from '../sys/index.js';
import { archivePath } from './archive-path.js';
import { entriesOf, overlay, tempDir } from './test-fixtures.js';

async function rootfs(t: Parameters<typeof overlay>[0]) {
  return overlay(t, 1, ([lower]) => {
    const l = lower!;
    mkdirSync(join(l, 'data/sub'), { recursive: true });
    writeFileSync(join(l, 'data/a.txt'), 'alpha');
    chownSync(join(l, 'data/a.txt'), 1234, 5678);
    chmodSync(join(l, 'data/a.txt'), 0o4750);
    utimesSync(join(l, 'data/a.txt'), 1_600_000_000, 1_600_000_000.9);
    linkSync(join(l, 'data/a.txt'), join(l, 'data/sub/hard.txt'));
    writeFileSync(join(l, 'data/sub/b.txt'), 'beta');
    lsetxattr(join(l, 'data/sub/b.txt'), 'user.note', 'kept');
    symlinkSync('../a.txt', join(l, 'data/sub/rel-link'));
    symlinkSync('/data', join(l, 'datalink'));
  });
}

test('archivePath of a directory: basename-rooted entries, hard links, owners, modes, times, xattrs, symlinks', async (t) => {
  const fx = await rootfs(t);
  const { stat, stream } = await archivePath(fx.merged, '/data');
  assert.equal(stat.name, 'data');
  const entries = await entriesOf(stream);
  assert.deepEqual(entries.map((e) => `${e.type} ${e.name}`), [
    'directory data/', 'file data/a.txt', 'directory data/sub/', 'file data/sub/b.txt',
    'link data/sub/hard.txt', 'symlink data/sub/rel-link',
  ]);
  const a = entries[1]!;
  assert.equal(a.content.toString(), 'alpha');
  assert.deepEqual([a.uid, a.gid, a.mode, a.mtime.sec], [1234, 5678, 0o4750, 1_600_000_000]);
  assert.equal(entries[4]!.linkname, 'data/a.txt');
  assert.equal(entries[3]!.xattrs.get('user.note')?.toString(), 'kept');
  assert.equal(entries[5]!.linkname, '../a.txt');
});

test('archivePath of dir/. holds the contents under ./', async (t) => {
  const fx = await rootfs(t);
  const { stat, stream } = await archivePath(fx.merged, '/data/.');
  assert.equal(stat.name, '.');
  const names = (await entriesOf(stream)).map((e) => e.name);
  assert.deepEqual(names, ['./', './a.txt', './sub/', './sub/b.txt', './sub/hard.txt', './sub/rel-link']);
});

test('archivePath of a file through a symlinked parent, and of a symlink itself', async (t) => {
  const fx = await rootfs(t);
  const viaLink = await entriesOf((await archivePath(fx.merged, '/datalink/sub/b.txt')).stream);
  assert.deepEqual(viaLink.map((e) => [e.name, e.content.toString()]), [['b.txt', 'beta']]);

  const link = await entriesOf((await archivePath(fx.merged, '/datalink')).stream);
  assert.deepEqual(link.map((e) => [e.type, e.name, e.linkname]), [['symlink', 'datalink', '/data']]);

  // With a trailing slash the link's directory is archived, named after the link.
  const followed = await entriesOf((await archivePath(fx.merged, '/datalink/')).stream);
  assert.equal(followed[0]!.name, 'datalink/');
  assert.ok(followed.some((e) => e.name === 'datalink/sub/b.txt'));
});

test('archivePath: a missing path is Docker\'s 404 before any byte; symlinks never lead out of the root', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  writeFileSync(join(outside, 'secret'), 'host secret');
  symlinkSync(outside, join(root, 'host'));
  symlinkSync('../../../../../../', join(root, 'up'));
  await assert.rejects(archivePath(root, '/nope', { container: 'c1' }), (err: Error) =>
    isKind(err, 'not-found') && err.message === 'Could not find the file /nope in container c1');
  await assert.rejects(archivePath(root, `/host/secret`), (err: Error) => isKind(err, 'not-found'));
  await assert.rejects(archivePath(root, `/up${outside}/secret`), (err: Error) => isKind(err, 'not-found'));
  const whole = await entriesOf((await archivePath(root, '/')).stream);
  assert.deepEqual(whole.map((e) => `${e.name} ${e.linkname}`), ['./ ', `./host ${outside}`, './up ../../../../../../']);
});

test('GNU tar reads what archivePath writes, long names included', async (t) => {
  const root = tempDir(t);
  const deep = join(root, 'd', 'x'.repeat(120), 'y'.repeat(120));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'z'.repeat(150)), 'long');
  symlinkSync('t'.repeat(140), join(root, 'd', 'longlink'));
  const { stream } = await archivePath(root, '/d');
  const listing = await gnuTarList(stream);
  assert.ok(listing.includes(`d/${'x'.repeat(120)}/${'y'.repeat(120)}/${'z'.repeat(150)}`), listing);
  assert.ok(listing.includes(`d/longlink -> ${'t'.repeat(140)}`), listing);
});

async function gnuTarList(stream: Readable): Promise<string> {
  const child = spawn('tar', ['-tvf', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
  stream.pipe(child.stdin);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  return out;
}
