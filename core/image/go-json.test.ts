import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goJson, goJsonLine, goTime, sortedKeys } from './go-json.js';

describe('goJson', () => {
  it('escapes <, >, & and line separators as Go does', () => {
    assert.equal(goJson({ a: '<&>\u2028\u2029"' }), '{"a":"\\u003c\\u0026\\u003e\\u2028\\u2029\\""}');
    assert.equal(goJsonLine([1]), '[1]\n');
  });

  it('sortedKeys orders map keys byte-wise', () => {
    assert.deepEqual(Object.keys(sortedKeys({ b: 1, a: 2, Z: 3, 'é': 4 })), ['Z', 'a', 'b', 'é']);
  });
});

describe('goTime', () => {
  it('writes RFC 3339 with trailing fractional zeros trimmed', () => {
    assert.equal(goTime(new Date(Date.UTC(2026, 10, 23, 16, 38, 10, 585))), '2026-11-23T16:38:10.585Z');
    assert.equal(goTime(new Date(Date.UTC(2026, 10, 23, 16, 38, 10, 500))), '2026-11-23T16:38:10.5Z');
    assert.equal(goTime(new Date(0)), '1970-01-01T00:00:00Z');
  });

  it('passes nanosecond strings through and refuses anything else', () => {
    assert.equal(goTime('2026-11-23T16:38:10.585414113Z'), '2026-11-23T16:38:10.585414113Z');
    assert.throws(() => goTime('yesterday'), { kind: 'invalid-argument' });
    assert.throws(() => goTime(new Date(Number.NaN)), { kind: 'invalid-argument' });
  });
});
