import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { digestHex, digestOf, isDigest, newDigester, parseDigest } from './digest.js';

const emptyDigest = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('digestOf hashes bytes with sha256', () => {
  assert.equal(digestOf(''), emptyDigest);
  assert.equal(digestOf(Buffer.from('')), emptyDigest);
});

test('parseDigest accepts sha256 with 64 lower-case hex digits and returns it unchanged', () => {
  assert.equal(parseDigest(emptyDigest), emptyDigest);
  assert.equal(digestHex(parseDigest(emptyDigest)), emptyDigest.slice(7));
});

test('parseDigest rejects every other spelling as invalid-argument naming the value', () => {
  const bad = ['', 'sha256:', emptyDigest.toUpperCase(), `SHA256:${emptyDigest.slice(7)}`, `${emptyDigest}0`,
    emptyDigest.slice(0, -1), `sha512:${'a'.repeat(128)}`, ` ${emptyDigest}`, `${emptyDigest}\n`, emptyDigest.slice(7)];
  for (const value of bad) {
    assert.equal(isDigest(value), false, value);
    assert.throws(() => parseDigest(value), (err: Error) => isKind(err, 'invalid-argument') && err.message.includes('invalid digest'));
  }
  assert.equal(isDigest(42), false);
});

test('newDigester gives the digest so far and keeps accepting bytes', () => {
  const digester = newDigester();
  assert.equal(digester.digest(), emptyDigest);
  digester.update(Buffer.from('ab'));
  assert.equal(digester.digest(), digestOf('ab'));
  digester.update(Buffer.from('c'));
  assert.equal(digester.digest(), digestOf('abc'));
});
