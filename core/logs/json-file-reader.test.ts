import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { appendFile, mkdtemp, open, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogEntry } from './json-line.js';
import { readLogs, type ReadLogsOptions } from './json-file-reader.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlogs-'));
});
after(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
const fresh = () => join(dir, `c${++counter}-json.log`);

/** One json-file line; times count seconds from a fixed base so they are easy to compare. */
function line(text: string, second: number, stream = 'stdout'): string {
  const time = new Date(Date.UTC(2026, 11, 2, 1, 0, second)).toISOString();
  return `${JSON.stringify({ log: text, stream, time })}\n`;
}
const lines = (from: number, to: number, prefix = 'l') =>
  Array.from({ length: to - from + 1 }, (_, i) => line(`${prefix}${from + i}\n`, from + i)).join('');
const nanosAt = (second: number) => BigInt(Date.UTC(2026, 11, 2, 1, 0, second)) * 1_000_000n;

async function collect(path: string, options: ReadLogsOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readLogs(path, options)) out.push(e.line.toString());
  return out;
}

test('readLogs reads lines as the monitor writes them: escapes, split entries, partial last entry', async () => {
  const path = fresh();
  // moby-monitor's bytes (dockerd's json-file marshaller): <, >, & and U+2028 escaped, invalid
  // UTF-8 as \ufffd, a 16 KiB piece without newline as its own entry, the final partial line.
  const big = 'x'.repeat(16 * 1024);
  await writeFile(
    path,
    '{"log":"hello\\n","stream":"stdout","time":"2026-12-02T01:02:03.123456789Z"}\n' +
      '{"log":"oops \\"q\\" \\u003ctag\\u003e \\u0026 \\u2028 \\ufffd\\t\\u001b[0m\\n","stream":"stderr","time":"2026-12-02T01:02:03.1Z"}\n' +
      `{"log":"${big}","stream":"stdout","time":"2026-12-02T01:02:03.2Z"}\n` +
      '{"log":"x\\n","stream":"stdout","time":"2026-12-02T01:02:03.2Z"}\n' +
      '{"log":"€ no newline","stream":"stdout","time":"2026-12-02T01:02:04Z"}\n',
  );
  const entries: LogEntry[] = [];
  for await (const e of readLogs(path)) entries.push(e);
  assert.deepEqual(
    entries.map((e) => [e.stream, e.line.toString(), e.time]),
    [
      ['stdout', 'hello\n', '2026-12-02T01:02:03.123456789Z'],
      ['stderr', 'oops "q" <tag> & \u2028 \ufffd\t\u001b[0m\n', '2026-12-02T01:02:03.1Z'],
      ['stdout', big, '2026-12-02T01:02:03.2Z'],
      ['stdout', 'x\n', '2026-12-02T01:02:03.2Z'],
      ['stdout', '€ no newline', '2026-12-02T01:02:04Z'],
    ],
  );
  assert.equal(entries[0]!.timeNanos, BigInt(Date.UTC(2026, 11, 2, 1, 2, 3)) * 1_000_000n + 123_456_789n);
  assert.equal(entries[1]!.timeNanos, BigInt(Date.UTC(2026, 11, 2, 1, 2, 3)) * 1_000_000n + 100_000_000n);
});

test('readLogs gives nothing for a missing log', async () => {
  assert.deepEqual(await collect(join(dir, 'nosuch-json.log')), []);
  assert.deepEqual(await collect(join(dir, 'nosuch-dir', 'x-json.log'), { tail: 3 }), []);
});

test('readLogs reads rotated files oldest first and leaves a partial last line out', async () => {
  const path = fresh();
  await writeFile(`${path}.3`, lines(1, 2));
  await writeFile(`${path}.2`, lines(3, 4));
  await writeFile(`${path}.1`, lines(5, 6));
  await writeFile(path, lines(7, 8) + line('partial\n', 9).slice(0, 20));
  await writeFile(`${path}.x`, lines(100, 101)); // not a rotated file
  assert.deepEqual(await collect(path), ['l1\n', 'l2\n', 'l3\n', 'l4\n', 'l5\n', 'l6\n', 'l7\n', 'l8\n']);
  const batches: number[] = [];
  for await (const batch of readLogs(path).batches()) batches.push(batch.length);
  assert.deepEqual(batches, [2, 2, 2, 2]);
});

test('readLogs tail counts entries from the end across files', async () => {
  const path = fresh();
  await writeFile(`${path}.2`, lines(1, 5));
  await writeFile(`${path}.1`, lines(6, 7));
  await writeFile(path, lines(8, 9) + '{"log":"par'); // the partial line does not count
  assert.deepEqual(await collect(path, { tail: 1 }), ['l9\n']);
  assert.deepEqual(await collect(path, { tail: 2 }), ['l8\n', 'l9\n']);
  assert.deepEqual(await collect(path, { tail: 3 }), ['l7\n', 'l8\n', 'l9\n']);
  assert.deepEqual(await collect(path, { tail: 6 }), ['l4\n', 'l5\n', 'l6\n', 'l7\n', 'l8\n', 'l9\n']);
  assert.deepEqual((await collect(path, { tail: 100 })).length, 9);
  assert.deepEqual((await collect(path, { tail: 'all' })).length, 9);
  assert.deepEqual((await collect(path, { tail: -1 })).length, 9);
  assert.deepEqual(await collect(path, { tail: 0 }), []);
  // tail, then since (moby applies since to the tailed entries)
  assert.deepEqual(await collect(path, { tail: 4, since: nanosAt(8) }), ['l8\n', 'l9\n']);
  assert.throws(() => readLogs(path, { tail: 1.5 }), /invalid tail/);
});

test('readLogs tail reads backwards: 2 lines of an 8 GiB (sparse) log come at once', async () => {
  const path = fresh();
  await writeFile(path, '');
  await truncate(path, 8 * 1024 ** 3);
  await appendFile(path, lines(1, 3));
  const started = performance.now();
  assert.deepEqual(await collect(path, { tail: 2 }), ['l2\n', 'l3\n']);
  const ms = performance.now() - started;
  assert.ok(ms < 1000, `tail took ${ms} ms`);
});

test('readLogs since and until select a window; until ends the read', async () => {
  const path = fresh();
  await writeFile(`${path}.1`, lines(1, 4));
  await writeFile(path, lines(5, 8));
  assert.deepEqual(await collect(path, { since: nanosAt(3), until: nanosAt(6) }), ['l3\n', 'l4\n', 'l5\n', 'l6\n']);
  assert.deepEqual(await collect(path, { since: nanosAt(6) }), ['l6\n', 'l7\n', 'l8\n']);
  assert.deepEqual(await collect(path, { since: nanosAt(6) + 1n }), ['l7\n', 'l8\n']);
  assert.deepEqual(await collect(path, { until: nanosAt(1) }), ['l1\n']);
  assert.deepEqual((await collect(path, { since: 0n, until: 0n })).length, 8); // 0 means no limit
});

test('readLogs reads lines longer than a read block', async () => {
  const path = fresh();
  const long = 'x'.repeat(3 * 1024 * 1024) + '\n';
  await writeFile(path, line('a\n', 1) + line(long, 2) + line('b\n', 3));
  const got = await collect(path);
  assert.deepEqual(got.map((s) => s.length), [2, long.length, 2]);
  assert.equal(got[1], long);
});

/** A consumer that records entries as they come, for follow tests. */
function follower(path: string, options: ReadLogsOptions) {
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of readLogs(path, { follow: true, pollIntervalMs: 50, ...options })) seen.push(e.line.toString());
  })();
  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && seen.length < n; i++) await sleep(10);
    assert.equal(seen.length, n, `saw ${JSON.stringify(seen)}`);
  };
  return { seen, done, waitFor };
}

test('readLogs follow sees appends, holds a partial line, survives rotation, ends with followUntil', async () => {
  const path = fresh();
  await writeFile(path, lines(1, 2));
  let stop!: () => void;
  const f = follower(path, { followUntil: new Promise<void>((resolve) => (stop = resolve)) });
  await f.waitFor(2);
  await appendFile(path, lines(3, 3));
  await f.waitFor(3);
  const half = line('l4\n', 4);
  await appendFile(path, half.slice(0, 10)); // the writer is mid-line
  await sleep(150);
  assert.equal(f.seen.length, 3);
  await appendFile(path, half.slice(10));
  await f.waitFor(4);
  // Rotation as the json-file driver does it: more lines into the old file, rename, new file.
  await appendFile(path, lines(5, 6));
  await rename(path, `${path}.1`);
  await writeFile(path, lines(7, 8));
  await f.waitFor(8);
  // A second rotation, with the old file's last lines written just before it.
  await appendFile(path, lines(9, 9));
  await rename(`${path}.1`, `${path}.2`);
  await rename(path, `${path}.1`);
  await writeFile(path, '');
  await appendFile(path, lines(10, 10));
  await f.waitFor(10);
  // The container stops: what was written before is still read, then the follow ends.
  await appendFile(path, lines(11, 12));
  stop();
  await f.done;
  assert.deepEqual(f.seen, Array.from({ length: 12 }, (_, i) => `l${i + 1}\n`));
});

test('readLogs follow loses nothing when several rotations (max-file 3) happen between two reads', async () => {
  const path = fresh();
  writeFileSync(path, lines(1, 2));
  let stop!: () => void;
  const f = follower(path, { followUntil: new Promise<void>((resolve) => (stop = resolve)), pollIntervalMs: 60_000 });
  await f.waitFor(2);
  // Synchronously, so the follower cannot run in between: three rotations as the monitor does
  // them (drop the oldest, shift, rename the current one, open a new one).
  const rotate = () => {
    try {
      unlinkSync(`${path}.2`);
    } catch {
      // not there yet
    }
    try {
      renameSync(`${path}.1`, `${path}.2`);
    } catch {
      // not there yet
    }
    renameSync(path, `${path}.1`);
    writeFileSync(path, '');
  };
  appendFileSync(path, lines(3, 3));
  rotate();
  appendFileSync(path, lines(4, 5));
  rotate();
  appendFileSync(path, lines(6, 6));
  rotate();
  appendFileSync(path, lines(7, 7));
  await f.waitFor(7);
  stop();
  await f.done;
  // The file holding l4-l5 was rotated twice before the follower looked: it was found by inode.
  assert.deepEqual(f.seen, Array.from({ length: 7 }, (_, i) => `l${i + 1}\n`));
});

test('readLogs follow with tail 0 shows only new entries, and waits for a log that does not exist yet', async () => {
  const path = fresh();
  await writeFile(path, lines(1, 3));
  const ac = new AbortController();
  const f = follower(path, { tail: 0, signal: ac.signal });
  await sleep(100);
  await appendFile(path, lines(4, 4));
  await f.waitFor(1);
  ac.abort();
  await f.done;
  assert.deepEqual(f.seen, ['l4\n']);

  const later = fresh();
  let stop!: () => void;
  const g = follower(later, { followUntil: new Promise<void>((resolve) => (stop = resolve)) });
  await sleep(100);
  await writeFile(later, lines(1, 2));
  await g.waitFor(2);
  stop();
  await g.done;
});

test('readLogs follow ends when the signal aborts, even while waiting', async () => {
  const path = fresh();
  await writeFile(path, lines(1, 1));
  const ac = new AbortController();
  const f = follower(path, { signal: ac.signal, pollIntervalMs: 60_000 });
  await f.waitFor(1);
  const started = performance.now();
  ac.abort();
  await f.done;
  assert.ok(performance.now() - started < 1000);
});

test('readLogs follow stops at the first entry after until', async () => {
  const path = fresh();
  await writeFile(path, lines(1, 2));
  const f = follower(path, { until: BigInt(Date.now() + 60_000) * 1_000_000n + nanosAt(3) - nanosAt(0) });
  await f.waitFor(2);
  // Entries dated after `until` end the follow.
  await appendFile(path, line('future\n', 0).replace(/"time":"[^"]+"/, '"time":"2999-01-01T00:00:00Z"'));
  await f.done;
  assert.deepEqual(f.seen, ['l1\n', 'l2\n']);
});

test('readLogs reads 100 MB of ~100-byte lines quickly (figure printed beside cat)', async (t) => {
  const path = fresh();
  const fh = await open(path, 'w');
  const target = 100 * 1024 * 1024;
  let written = 0;
  let n = 0;
  while (written < target) {
    const parts: string[] = [];
    for (let i = 0; i < 10_000; i++, n++) {
      const ns = String(n % 1_000_000_000).padStart(9, '0');
      parts.push(`{"log":"line ${n} some typical output text \\u003cok\\u003e\\n","stream":"${n % 5 ? 'stdout' : 'stderr'}","time":"2026-12-02T01:02:03.${ns}Z"}\n`);
    }
    const chunk = Buffer.from(parts.join(''));
    await fh.write(chunk);
    written += chunk.length;
  }
  await fh.close();
  spawnSync('cat', [path], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache

  /** Best of three: wall and CPU milliseconds (the CPU figure is steadier on a busy machine). */
  const best = async (fn: () => Promise<void> | void) => {
    let wall = Infinity;
    let cpu = Infinity;
    for (let i = 0; i < 3; i++) {
      const c0 = process.cpuUsage();
      const s = performance.now();
      await fn();
      wall = Math.min(wall, performance.now() - s);
      const c = process.cpuUsage(c0);
      cpu = Math.min(cpu, (c.user + c.system) / 1000);
    }
    return { wall, cpu };
  };
  const catTime = await best(() => {
    const r = spawnSync('sh', ['-c', `cat "${path}" > /dev/null`]);
    assert.equal(r.status, 0);
  });
  let count = 0;
  const batchTime = await best(async () => {
    count = 0;
    let bytes = 0;
    for await (const batch of readLogs(path).batches()) {
      count += batch.length;
      for (const e of batch) bytes += e.line.length;
    }
    assert.ok(bytes > 0);
  });
  assert.equal(count, n);
  const entryTime = await best(async () => {
    let c = 0;
    for await (const e of readLogs(path)) c += e.line.length > 0 ? 1 : 0;
    assert.equal(c, n);
  });
  const tailTime = await best(async () => {
    assert.equal((await collect(path, { tail: 10 })).length, 10);
  });
  const mb = written / 1024 / 1024;
  const ms = (x: number) => x.toFixed(0);
  const figure =
    `json-file read of ${mb.toFixed(0)} MB (${n} lines): batches ${ms(batchTime.wall)} ms wall / ${ms(batchTime.cpu)} ms cpu ` +
    `(${(mb / (batchTime.wall / 1000)).toFixed(0)} MB/s), entry by entry ${ms(entryTime.wall)} ms wall / ${ms(entryTime.cpu)} ms cpu, ` +
    `tail 10 ${tailTime.wall.toFixed(1)} ms; cat > /dev/null ${ms(catTime.wall)} ms wall; ` +
    `ratio batches/cat ${(batchTime.wall / catTime.wall).toFixed(1)}x; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cpus`;
  t.diagnostic(figure);
  console.log(`# ${figure}`);
  await rm(path);
});
