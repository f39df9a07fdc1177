import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration, parsePortSpec, parseSignal } from './change-values.js';

const invalid = (message: string) => ({ kind: 'invalid-argument', message });

describe('parsePortSpec', () => {
  it('reads ports, ranges, protocols and host mappings to exposed-port keys', () => {
    assert.deepEqual(parsePortSpec('80'), ['80/tcp']);
    assert.deepEqual(parsePortSpec('53/UDP'), ['53/udp']);
    assert.deepEqual(parsePortSpec('7000-7002/sctp'), ['7000/sctp', '7001/sctp', '7002/sctp']);
    assert.deepEqual(parsePortSpec('8080:80'), ['80/tcp']);
    assert.deepEqual(parsePortSpec('[::1]:8080:80/udp'), ['80/udp']);
  });

  it('refuses bad ports, protocols, addresses and mismatched ranges', () => {
    assert.throws(() => parsePortSpec('http'), invalid('invalid containerPort: http'));
    assert.throws(() => parsePortSpec('70000'), invalid('invalid containerPort: 70000'));
    assert.throws(() => parsePortSpec('9-8'), invalid('invalid containerPort: 9-8'));
    assert.throws(() => parsePortSpec('80/ftp'), invalid('invalid proto: ftp'));
    assert.throws(() => parsePortSpec('a.b:80:80'), invalid('invalid IP address: a.b'));
    assert.throws(() => parsePortSpec('1-2:3-5'), invalid('invalid ranges specified for container and host Ports: 3-5 and 1-2'));
    assert.throws(() => parsePortSpec('8080:'), invalid('no port specified: 8080:<empty>'));
  });
});

describe('parseSignal', () => {
  it('reads names with or without SIG, any case, and numbers', () => {
    assert.equal(parseSignal('SIGTERM'), 15);
    assert.equal(parseSignal('kill'), 9);
    assert.equal(parseSignal('RTMIN+3'), 37);
    assert.equal(parseSignal('10'), 10);
  });

  it('refuses unknown names and zero', () => {
    assert.throws(() => parseSignal('FOO'), invalid('invalid signal: FOO'));
    assert.throws(() => parseSignal('0'), invalid('invalid signal: 0'));
  });
});

describe('parseGoDuration', () => {
  it('reads Go durations in nanoseconds', () => {
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('1m30s'), 90e9);
    assert.equal(parseGoDuration('1.5h'), 5400e9);
    assert.equal(parseGoDuration('250ms'), 250e6);
    assert.equal(parseGoDuration('-2us'), -2000);
  });

  it('refuses malformed durations with Go\'s messages', () => {
    assert.throws(() => parseGoDuration('5'), invalid('time: missing unit in duration "5"'));
    assert.throws(() => parseGoDuration('5d'), invalid('time: unknown unit "d" in duration "5d"'));
    assert.throws(() => parseGoDuration('x'), invalid('time: invalid duration "x"'));
    assert.throws(() => parseGoDuration(''), invalid('time: invalid duration ""'));
  });
});
