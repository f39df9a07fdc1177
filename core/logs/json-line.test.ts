import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLine, decodeLines, fixedNanoTime, parseTimeNanos, unixTimeToNanos } from './json-line.js';

/** A line as Go's json-file driver writes it: HTML-safe escapes, U+2028/2029 escaped. */
function goLine(log: string | Buffer, stream = 'stdout', time = '2026-12-02T01:02:03.123456789Z'): string {
  const text = typeof log === 'string' ? log : log.toString('utf8'); // invalid UTF-8 becomes U+FFFD, as Go writes it
  const escaped = JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `{"log":${escaped},"stream":"${stream}","time":"${time}"}`;
}

function decode(line: string) {
  const buf = Buffer.from(line);
  return decodeLine(buf, 0, buf.length);
}

test('decodeLine reads the three fields of a json-file line', () => {
  const e = decode('{"log":"hi\\n","stream":"stderr","time":"2026-12-02T01:02:03.123456789Z"}')!;
  assert.equal(e.stream, 'stderr');
  assert.deepEqual(e.line, Buffer.from('hi\n'));
  assert.equal(e.time, '2026-12-02T01:02:03.123456789Z');
  assert.equal(e.timeNanos, BigInt(Date.UTC(2026, 11, 2, 1, 2, 3)) * 1_000_000n + 123_456_789n);
  assert.equal(e.attrs, undefined);
});

test('decodeLine handles every escape Go writes', () => {
  const line =
    '{"log":"a\\u003cb\\u003e\\u0026c\\u2028\\u2029\\ufffd\\t\\"q\\"\\\\\\/\\b\\f\\r\\u0000\\u001f\\ud83d\\ude00é\\n",' +
    '"stream":"stdout","time":"2026-12-02T01:02:03Z"}';
  const e = decode(line)!;
  assert.deepEqual(e.line, Buffer.from('a<b>&c\u2028\u2029\ufffd\t"q"\\/\b\f\r\u0000\u001f\u{1f600}é\n'));
  assert.deepEqual(e.line, Buffer.from((JSON.parse(line) as { log: string }).log));
});

test('decodeLine turns lone surrogates into U+FFFD as Go does', () => {
  const fffd = '\ufffd';
  assert.deepEqual(decode(goLine('x').replace('"x"', '"\\ud800x"'))!.line, Buffer.from(`${fffd}x`));
  assert.deepEqual(decode(goLine('x').replace('"x"', '"\\udc00"'))!.line, Buffer.from(fffd));
  assert.deepEqual(decode(goLine('x').replace('"x"', '"\\ud800\\u0041"'))!.line, Buffer.from(`${fffd}A`));
  assert.deepEqual(decode(goLine('x').replace('"x"', '"\\ud800\\ud800\\udc00"'))!.line, Buffer.from(`${fffd}\u{10000}`));
});

test('decodeLine agrees with JSON.parse on random text', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ['a', 'Z', ' ', '\n', '\t', '\r', '"', '\\', '/', '<', '>', '&', '\u0001', '\u007f', 'é', '€', '\u2028', '\u2029', '\ufffd', '😀', '\b', '\f'];
  for (let i = 0; i < 2000; i++) {
    let text = '';
    const len = rand(40);
    for (let j = 0; j < len; j++) text += alphabet[rand(alphabet.length)];
    const line = goLine(text, i % 2 ? 'stdout' : 'stderr');
    const e = decode(line)!;
    assert.deepEqual(e.line, Buffer.from(text), line);
    assert.equal(e.stream, i % 2 ? 'stdout' : 'stderr');
  }
  // Invalid UTF-8 in the output: Go wrote U+FFFD for it.
  assert.deepEqual(decode(goLine(Buffer.from([0x61, 0xff, 0x62])))!.line, Buffer.from('a\ufffdb'));
});

test('decodeLine falls back to JSON.parse for other shapes and keeps attrs', () => {
  const e = decode('{"log":"x\\n","stream":"stdout","attrs":{"tag":"web","env":"a=b"},"time":"2026-12-02T01:02:03Z"}')!;
  assert.deepEqual(e.line, Buffer.from('x\n'));
  assert.deepEqual(e.attrs, { tag: 'web', env: 'a=b' });
  const spaced = decode('{"log": "y", "stream": "stderr", "time": "2026-12-02T01:02:03Z"}')!;
  assert.equal(spaced.stream, 'stderr');
  assert.deepEqual(spaced.line, Buffer.from('y'));
  const reordered = decode('{"stream":"stderr","log":"a\\u003c\\n","time":"2026-12-02T01:02:03Z"}')!;
  assert.deepEqual(reordered.line, Buffer.from('a<\n'));
  // The tight decoder checks the whole shape before unescaping anything in place.
  const trailing = decode('{"log":"a\\tb","stream":"stdout","time":"2026-12-02T01:02:03Z","x":1}')!;
  assert.deepEqual(trailing.line, Buffer.from('a\tb'));
});

test('decodeLine refuses lines that are not log entries', () => {
  assert.equal(decode('not json'), undefined);
  assert.equal(decode('{"log":"unterminated'), undefined);
  assert.equal(decode('{"log":"bad \\x escape","stream":"stdout","time":"2026-12-02T01:02:03Z"}'), undefined);
  assert.equal(decode('{"log":1,"stream":"stdout","time":"t"}'), undefined);
  assert.equal(decode('[1,2]'), undefined);
});

test('decodeLines skips corrupt lines and applies since and until', () => {
  const t = (s: number) => `2026-12-02T01:02:0${s}Z`;
  const text = [goLine('a\n', 'stdout', t(1)), '{"log":"torn', goLine('b\n', 'stderr', t(2)), goLine('c\n', 'stdout', t(3)), goLine('d\n', 'stdout', t(4))].join('\n') + '\n';
  const all = decodeLines(Buffer.from(text), 0, Buffer.byteLength(text));
  assert.deepEqual(all.entries.map((e) => e.line.toString()), ['a\n', 'b\n', 'c\n', 'd\n']);
  assert.equal(all.pastUntil, false);
  const base = BigInt(Date.UTC(2026, 11, 2, 1, 2, 0)) * 1_000_000n;
  const some = decodeLines(Buffer.from(text), 0, Buffer.byteLength(text), { since: base + 2_000_000_000n, until: base + 3_000_000_000n });
  assert.deepEqual(some.entries.map((e) => e.line.toString()), ['b\n', 'c\n']);
  assert.equal(some.pastUntil, true);
});

test('parseTimeNanos reads any fraction length and offsets', () => {
  const base = BigInt(Date.UTC(2026, 11, 2, 1, 2, 3)) * 1_000_000n;
  assert.equal(parseTimeNanos('2026-12-02T01:02:03Z'), base);
  assert.equal(parseTimeNanos('2026-12-02T01:02:03.5Z'), base + 500_000_000n);
  assert.equal(parseTimeNanos('2026-12-02T01:02:03.123Z'), base + 123_000_000n);
  assert.equal(parseTimeNanos('2026-12-02T01:02:03.000000001Z'), base + 1n);
  assert.equal(parseTimeNanos('2026-12-02T02:02:03.000000001+01:00'), base + 1n);
  assert.equal(parseTimeNanos('2026-12-02T00:32:03-00:30'), base);
  assert.equal(parseTimeNanos('0001-01-01T00:00:00Z'), -62135596800000000000n);
  assert.equal(parseTimeNanos('garbage'), 0n);
  // The one-entry cache must not mix up zones.
  assert.equal(parseTimeNanos('2026-12-02T01:02:03Z'), base);
  assert.equal(parseTimeNanos('2026-12-02T01:02:03+01:00'), base - 3_600_000_000_000n);
});

test('fixedNanoTime writes nine fraction digits as docker logs -t does', () => {
  assert.equal(fixedNanoTime('2026-12-02T01:02:03.123Z'), '2026-12-02T01:02:03.123000000Z');
  assert.equal(fixedNanoTime('2026-12-02T01:02:03Z'), '2026-12-02T01:02:03.000000000Z');
  assert.equal(fixedNanoTime('2026-12-02T01:02:03.447708546Z'), '2026-12-02T01:02:03.447708546Z');
  assert.equal(fixedNanoTime('2026-12-02T01:02:03.1+00:00'), '2026-12-02T01:02:03.100000000Z');
  assert.equal(fixedNanoTime('2026-12-02T01:02:03.1+01:00'), '2026-12-02T01:02:03.100000000+01:00');
});

test('unixTimeToNanos reads Docker since/until values', () => {
  assert.equal(unixTimeToNanos('1795451401'), 1_795_451_401_000_000_000n);
  assert.equal(unixTimeToNanos('1795451401.5'), 1_795_451_401_500_000_000n);
  assert.equal(unixTimeToNanos('1795451401.000000001'), 1_795_451_401_000_000_001n);
  assert.equal(unixTimeToNanos('0'), 0n);
  assert.equal(unixTimeToNanos('x'), undefined);
});
