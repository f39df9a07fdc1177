import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { EventLog, type EventLogOptions } from './event-log.js';
import type { EventMessage } from './event-message.js';
import { draft } from './events-conformance.js';
import { FakeClock } from './fake-clock.js';

const second = 1_000_000_000n;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mc-eventlog-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openLog(t: TestContext, dir: string, options: EventLogOptions = {}): Promise<EventLog> {
  const log = await EventLog.open(dir, options);
  t.after(() => log.close());
  return log;
}

async function all(events: AsyncIterable<EventMessage>): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of events) ids.push(e.actor.id);
  return ids;
}

test('EventLog.append stamps from the clock, strictly increasing even when the clock stands still', async (t) => {
  const clock = new FakeClock(100n * second);
  const log = await openLog(t, await tempDir(t), { clock });
  const a = log.append(draft('container', 'create', 'a'));
  const b = log.append(draft('container', 'start', 'b'));
  clock.advance(2n * second + 5n);
  const c = log.append(draft('container', 'die', 'c'));
  assert.deepEqual([a.timeNano, b.timeNano, c.timeNano], [100n * second, 100n * second + 1n, 102n * second + 5n]);
  assert.deepEqual([a.time, c.time], [100, 102]);
  assert.equal(log.lastTimeNano, c.timeNano);
});

test('EventLog.replay returns the events of a window, both ends included, in order', async (t) => {
  const clock = new FakeClock(10n * second);
  const log = await openLog(t, await tempDir(t), { clock });
  const stamps: bigint[] = [];
  for (const id of ['a', 'b', 'c', 'd']) {
    stamps.push(log.append(draft('container', 'start', id)).timeNano);
    clock.advance(second);
  }
  assert.deepEqual(await all(log.replay()), ['a', 'b', 'c', 'd']);
  assert.deepEqual(await all(log.replay({ since: stamps[1], until: stamps[2] })), ['b', 'c']);
  assert.deepEqual(await all(log.replay({ since: stamps[3]! + 1n })), []);
  assert.deepEqual(await all(log.replay({ until: stamps[0]! - 1n })), []);
  assert.deepEqual(await all(log.replay({ since: stamps[2] })), ['c', 'd']);
});

test('EventLog.replay leaves out events appended after it was called', async (t) => {
  const log = await openLog(t, await tempDir(t), { clock: new FakeClock() });
  log.append(draft('container', 'start', 'a'));
  const replay = log.replay();
  log.append(draft('container', 'start', 'b'));
  assert.deepEqual(await all(replay), ['a']);
});

test('EventLog.subscribe delivers each later append once, until unsubscribed', async (t) => {
  const log = await openLog(t, await tempDir(t), { clock: new FakeClock() });
  log.append(draft('container', 'start', 'before'));
  const seen: string[] = [];
  const unsubscribe = log.subscribe((e) => seen.push(e.actor.id));
  log.append(draft('container', 'start', 'during'));
  unsubscribe();
  log.append(draft('container', 'start', 'after'));
  assert.deepEqual(seen, ['during']);
});

test('EventLog reopened keeps the order and the last timeNano, and stamps after it though the clock is behind', async (t) => {
  const dir = await tempDir(t);
  const first = await EventLog.open(dir, { clock: new FakeClock(50n * second) });
  first.append(draft('container', 'create', 'a'));
  first.append(draft('container', 'start', 'b'));
  await first.close();
  const log = await openLog(t, dir, { clock: new FakeClock(10n * second) });
  assert.equal(log.lastTimeNano, 50n * second + 1n);
  assert.equal(log.append(draft('container', 'die', 'c')).timeNano, 50n * second + 2n);
  assert.deepEqual(await all(log.replay()), ['a', 'b', 'c']);
});

test('EventLog drops its oldest segments once past the cap, and keeps what remains in order', async (t) => {
  const dir = await tempDir(t);
  const clock = new FakeClock();
  const log = await openLog(t, dir, { clock, maxBytes: 1000, segmentBytes: 300 });
  const ids = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, '0')}`);
  for (const id of ids) log.append(draft('container', 'start', id, { name: 'web' }));
  await log.flush();
  const files = (await readdir(dir)).sort();
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
  assert.ok(files.length > 1, 'rotated into several segments');
  assert.ok(sizes.every((s) => s <= 300), `every segment within its size: ${sizes}`);
  assert.ok(sizes.reduce((a, b) => a + b, 0) <= 1000, `the log within its cap: ${sizes}`);
  assert.notEqual(files[0], '0000000001.jsonl', 'the first segment was dropped');
  const kept = await all(log.replay());
  assert.ok(kept.length > 0 && kept.length < ids.length);
  assert.deepEqual(kept, ids.slice(ids.length - kept.length), 'the newest events, in order');
});

test('EventLog reopened over a smaller cap drops segments at once', async (t) => {
  const dir = await tempDir(t);
  const first = await EventLog.open(dir, { clock: new FakeClock(), maxBytes: 10_000, segmentBytes: 200 });
  for (let i = 0; i < 30; i++) first.append(draft('container', 'start', `c${i}`));
  await first.close();
  await openLog(t, dir, { clock: new FakeClock(), maxBytes: 400, segmentBytes: 200 });
  const sizes = await Promise.all((await readdir(dir)).map(async (f) => (await stat(join(dir, f))).size));
  assert.ok(sizes.reduce((a, b) => a + b, 0) <= 400, `${sizes}`);
});

test('EventLog reopened after a write cut short drops the torn line and appends cleanly', async (t) => {
  const dir = await tempDir(t);
  const first = await EventLog.open(dir, { clock: new FakeClock() });
  first.append(draft('container', 'start', 'a'));
  await first.close();
  await appendFile(join(dir, '0000000001.jsonl'), '{"type":"container","action":"st');
  const log = await openLog(t, dir, { clock: new FakeClock() });
  log.append(draft('container', 'start', 'b'));
  await log.flush();
  assert.deepEqual(await all(log.replay()), ['a', 'b']);
  const lines = (await readFile(join(dir, '0000000001.jsonl'), 'utf8')).split('\n');
  assert.equal(lines.length, 3, 'two whole lines and the final newline');
});

test('EventLog.open refuses a segment size past the cap', async (t) => {
  await assert.rejects(EventLog.open(await tempDir(t), { maxBytes: 10, segmentBytes: 20 }), (err: Error) => isKind(err, 'invalid-argument'));
});

test('EventLog.append after close is unavailable', async (t) => {
  const log = await EventLog.open(await tempDir(t), { clock: new FakeClock() });
  await log.close();
  assert.throws(() => log.append(draft('container', 'start', 'a')), (err: Error) => isKind(err, 'unavailable'));
});
