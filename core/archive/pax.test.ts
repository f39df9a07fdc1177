import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { applyPax, parsePaxRecords } from './pax.js';
import type { TarHeader } from './tar-header.js';

function record(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let len = body.length + 1;
  if (String(len).length + body.length !== len) len = String(len + 1).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function header(): TarHeader {
  return { name: 'short', type: 'file', typeflag: '0', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: { sec: 0, nsec: 0 }, linkname: '', devmajor: 0, devminor: 0, xattrs: new Map() };
}

test('parsePaxRecords keeps binary values byte for byte', () => {
  const binary = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x0a, 0x3d]);
  const records = parsePaxRecords(Buffer.concat([record('SCHILY.xattr.security.capability', binary), record('path', 'a/b')]));
  assert.deepEqual(records.get('SCHILY.xattr.security.capability'), binary);
  assert.equal(records.get('path')?.toString(), 'a/b');
});

test('parsePaxRecords refuses a record whose length does not fit', () => {
  assert.throws(() => parsePaxRecords(Buffer.from('99 path=a\n')), (e: unknown) => isKind(e, 'invalid-argument'));
  assert.throws(() => parsePaxRecords(Buffer.from('x path=a\n')), /malformed PAX record/);
});

test('applyPax overrides name, link, ids, size and times, with nanoseconds', () => {
  const h = header();
  applyPax(h, parsePaxRecords(Buffer.concat([
    record('path', 'long/name'), record('linkpath', 'target'), record('uid', '4000000000'), record('gid', '7'),
    record('size', '12'), record('mtime', '1600000000.123456789123'), record('atime', '-1.25'),
  ])));
  assert.equal(h.name, 'long/name');
  assert.equal(h.linkname, 'target');
  assert.equal(h.uid, 4_000_000_000);
  assert.equal(h.gid, 7);
  assert.equal(h.size, 12);
  assert.deepEqual(h.mtime, { sec: 1_600_000_000, nsec: 123_456_789 });
  assert.deepEqual(h.atime, { sec: -2, nsec: 750_000_000 });
});

test('applyPax collects SCHILY and LIBARCHIVE xattrs', () => {
  const h = header();
  applyPax(h, parsePaxRecords(Buffer.concat([
    record('SCHILY.xattr.user.a', 'plain'),
    record('LIBARCHIVE.xattr.user.b%20c', Buffer.from([0, 1, 2]).toString('base64')),
  ])));
  assert.equal(h.xattrs.get('user.a')?.toString(), 'plain');
  assert.deepEqual(h.xattrs.get('user.b c'), Buffer.from([0, 1, 2]));
});

test('applyPax refuses sparse files and non-numeric ids', () => {
  assert.throws(() => applyPax(header(), parsePaxRecords(record('GNU.sparse.map', '0,1'))), (e: unknown) => isKind(e, 'not-implemented'));
  assert.throws(() => applyPax(header(), parsePaxRecords(record('uid', '-1'))), /not a number/);
});
