import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { decodeNumber, decodeString, parseHeaderBlock } from './tar-header.js';
import { tarOf } from './tar-fixture.js';

test('decodeNumber reads octal fields padded with NULs or spaces', () => {
  assert.equal(decodeNumber(Buffer.from('0000755\0'), 'mode'), 0o755);
  assert.equal(decodeNumber(Buffer.from('   1750 '), 'uid'), 1000);
  assert.equal(decodeNumber(Buffer.alloc(8), 'uid'), 0);
});

test('decodeNumber reads GNU base-256 fields', () => {
  const field = Buffer.alloc(8);
  field[0] = 0x80;
  field.writeUInt32BE(4_000_000_000, 4);
  assert.equal(decodeNumber(field, 'uid'), 4_000_000_000);
});

test('decodeNumber refuses junk and negative base-256 values', () => {
  assert.throws(() => decodeNumber(Buffer.from('12x4\0'), 'size'), (e: unknown) => isKind(e, 'invalid-argument'));
  assert.throws(() => decodeNumber(Buffer.alloc(8, 0xff), 'size'), /negative size/);
});

test('decodeString refuses bytes that are not UTF-8 instead of mangling them', () => {
  assert.equal(decodeString(Buffer.from('héllo\0junk'), 'name'), 'héllo');
  assert.throws(() => decodeString(Buffer.from([0x61, 0xff, 0x62]), 'name'), /name is not valid UTF-8/);
});

test('parseHeaderBlock joins the ustar prefix and keeps setuid bits', async () => {
  const name = `${'p'.repeat(120)}/file`;
  const block = (await tarOf([{ name, content: 'x', mode: 0o4755, uid: 12, gid: 34 }])).subarray(0, 512);
  const header = parseHeaderBlock(block);
  assert.equal(header.name, name);
  assert.equal(header.type, 'file');
  assert.equal(header.mode, 0o4755);
  assert.equal(`${header.uid}:${header.gid}:${header.size}`, '12:34:1');
});

test('parseHeaderBlock refuses a block whose checksum does not match', async () => {
  const block = Buffer.from((await tarOf([{ name: 'a', content: 'x' }])).subarray(0, 512));
  block[0] = 'b'.charCodeAt(0);
  assert.throws(() => parseHeaderBlock(block), /checksum mismatch/);
});
