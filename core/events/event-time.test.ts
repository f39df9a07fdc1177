import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { formatEventTime, parseEventTime } from './event-time.js';

describe('parseEventTime', () => {
  it('reads "" as no bound', () => {
    assert.equal(parseEventTime(''), undefined);
  });

  it('reads unix seconds, with a fraction padded or cut to nanoseconds', () => {
    assert.equal(parseEventTime('1700000000'), 1_700_000_000_000_000_000n);
    assert.equal(parseEventTime('1700000000.123456789'), 1_700_000_000_123_456_789n);
    assert.equal(parseEventTime('1700000000.5'), 1_700_000_000_500_000_000n);
    assert.equal(parseEventTime('1700000000.1234567891234'), 1_700_000_000_123_456_789n);
    assert.equal(parseEventTime('1700000000.'), 1_700_000_000_000_000_000n);
    assert.equal(parseEventTime('0'), 0n);
  });

  it('reads RFC 3339 with a fraction and a zone', () => {
    assert.equal(parseEventTime('2023-11-14T22:13:20Z'), 1_700_000_000_000_000_000n);
    assert.equal(parseEventTime('2023-11-14T22:13:20.123456789Z'), 1_700_000_000_123_456_789n);
    assert.equal(parseEventTime('2023-11-15T00:13:20.5+02:00'), 1_700_000_000_500_000_000n);
  });

  it("refuses anything else as invalid-argument, in moby's words", () => {
    const refused = (value: string, message: string) =>
      assert.throws(() => parseEventTime(value), (err: Error) => isKind(err, 'invalid-argument') && err.message === message);
    refused('10m', 'invalid timestamp "10m": invalid seconds "10m": invalid syntax');
    refused('abc.5', 'invalid timestamp "abc.5": invalid seconds "abc": invalid syntax');
    refused('1700000000.12x', 'invalid timestamp "1700000000.12x": invalid nanoseconds: invalid character \'x\' at position 2');
    refused('1.123456789012345678901', 'invalid timestamp "1.123456789012345678901": invalid nanoseconds: length 21 exceeds maximum 20');
    refused('99999999999999999999', 'invalid timestamp "99999999999999999999": invalid seconds "99999999999999999999": value out of range');
    refused('2023-13-01T00:00:00Z', 'invalid timestamp "2023-13-01T00:00:00Z": invalid seconds "2023-13-01T00:00:00Z": invalid syntax');
  });
});

describe('formatEventTime', () => {
  it('writes seconds and nine digits of nanoseconds, as the docker CLI sends them', () => {
    assert.equal(formatEventTime(1_700_000_000_000_000_042n), '1700000000.000000042');
    assert.equal(parseEventTime(formatEventTime(1_700_000_000_123_456_789n)), 1_700_000_000_123_456_789n);
  });
});
