import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolFilter, matchKvList, timestampFilter } from './image-filters.js';

test('boolFilter reads 1/true and 0/false, and refuses anything else or both', () => {
  assert.equal(boolFilter({}, 'dangling', true), true);
  assert.equal(boolFilter({ dangling: ['0'] }, 'dangling', true), false);
  assert.equal(boolFilter({ dangling: ['true'] }, 'dangling', false), true);
  assert.throws(() => boolFilter({ dangling: ['true', 'false'] }, 'dangling', true), /invalid filter 'dangling=\[true false\]'/);
  assert.throws(() => boolFilter({ dangling: ['yes'] }, 'dangling', true), /invalid filter/);
});

test('matchKvList needs every key, and the value where one is given', () => {
  assert.equal(matchKvList([], null), true);
  assert.equal(matchKvList(['a'], null), false);
  assert.equal(matchKvList(['a', 'b=2'], { a: 'x', b: '2' }), true);
  assert.equal(matchKvList(['b=3'], { b: '2' }), false);
  assert.equal(matchKvList(['c=x=y'], { c: 'x=y' }), true);
});

test('timestampFilter reads durations back from now, unix seconds and RFC 3339 times', () => {
  const now = new Date('2024-01-01T01:00:00Z');
  assert.equal(timestampFilter('1h', now), Date.parse('2024-01-01T00:00:00Z'));
  assert.equal(timestampFilter('1704067200.5', now), 1704067200500);
  assert.equal(timestampFilter('2024-01-01T00:30:00Z', now), Date.parse('2024-01-01T00:30:00Z'));
  assert.equal(timestampFilter('2024-01-02', now), Date.parse('2024-01-02T00:00:00Z'));
  assert.throws(() => timestampFilter('tomorrow', now), /failed to parse value as time or duration: "tomorrow"/);
});
