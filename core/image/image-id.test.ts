import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullImageId, imageIdPrefix, matchIdPrefix, shortId } from './image-id.js';

const a = `sha256:${'ab'.repeat(32)}`;
const b = `sha256:${'ac'.repeat(32)}`;

describe('fullImageId', () => {
  it('accepts the bare 64 hex digits or sha256:<hex>, nothing shorter', () => {
    assert.equal(fullImageId(a.slice(7)), a);
    assert.equal(fullImageId(a), a);
    assert.equal(fullImageId(a.slice(0, 20)), undefined);
    assert.equal(fullImageId(a.toUpperCase()), undefined);
  });
});

describe('imageIdPrefix', () => {
  it('takes 1 to 64 lower-case hex digits, with or without sha256:', () => {
    assert.equal(imageIdPrefix('abab'), 'abab');
    assert.equal(imageIdPrefix('sha256:a'), 'a');
    assert.equal(imageIdPrefix('busybox'), undefined);
    assert.equal(imageIdPrefix('ABAB'), undefined);
    assert.equal(imageIdPrefix(`${a.slice(7)}0`), undefined);
  });
});

describe('matchIdPrefix', () => {
  it('returns every ID the prefix matches, so callers can tell ambiguity', () => {
    assert.deepEqual(matchIdPrefix('aba', [a, b]), [a]);
    assert.deepEqual(matchIdPrefix('a', [a, b]), [a, b]);
    assert.deepEqual(matchIdPrefix('ff', [a, b]), []);
    assert.deepEqual(matchIdPrefix('ac', [b.slice(7)]), [b]);
  });
});

describe('shortId', () => {
  it('gives the 12 hex digits Docker prints', () => {
    assert.equal(shortId(a), 'abababababab');
    assert.throws(() => shortId('nope'), { kind: 'invalid-argument' });
  });
});
