import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalesceRuns } from './coalesce.js';
import { decodeLines, logEntry } from './json-line.js';

const line = (log: string, stream: string, time: string) => `${JSON.stringify({ log, stream, time })}\n`;

test('coalesceRuns joins each run of one stream, keeping the first time, and leaves single entries alone', () => {
  const text = line('a\n', 'stdout', '2026-12-02T01:00:00.1Z') + line('b\n', 'stdout', '2026-12-02T01:00:00.2Z')
    + line('c\n', 'stderr', '2026-12-02T01:00:00.3Z') + line('d\n', 'stdout', '2026-12-02T01:00:00.4Z')
    + line('e "quoted" \\u00e9\n', 'stdout', '2026-12-02T01:00:00.5Z');
  const buf = Buffer.from(text);
  const { entries } = decodeLines(buf, 0, buf.length);
  const out = coalesceRuns(entries);
  assert.deepEqual(out.map((e) => [e.stream, e.line.toString(), e.time]), [
    ['stdout', 'a\nb\n', '2026-12-02T01:00:00.1Z'],
    ['stderr', 'c\n', '2026-12-02T01:00:00.3Z'],
    ['stdout', 'd\ne "quoted" \\u00e9\n', '2026-12-02T01:00:00.4Z'],
  ]);
  // Entries built from values (not from a block) join the same way.
  const built = coalesceRuns([logEntry('stderr', 'x', '2026-12-02T01:00:01Z'), logEntry('stderr', 'y\n', '2026-12-02T01:00:02Z')]);
  assert.deepEqual(built.map((e) => [e.stream, e.line.toString(), e.time]), [['stderr', 'xy\n', '2026-12-02T01:00:01Z']]);
  assert.deepEqual(coalesceRuns([]), []);
  // Only stdout wanted: the stdout lines around a stderr one are one run, joined over it.
  const again = Buffer.from(text);
  const stdoutOnly = decodeLines(again, 0, again.length).entries.filter((e) => e.stream === 'stdout');
  assert.deepEqual(coalesceRuns(stdoutOnly).map((e) => [e.line.toString(), e.time]), [['a\nb\nd\ne "quoted" \\u00e9\n', '2026-12-02T01:00:00.1Z']]);
});
