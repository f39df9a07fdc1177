import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GcLock } from './gc-lock.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

test('GcLock.shared lets holders overlap', { timeout: 10_000 }, async () => {
  const lock = new GcLock();
  const events: string[] = [];
  const first = gate();
  const a = lock.shared(async () => {
    events.push('a in');
    await first.opened;
    events.push('a out');
  });
  const b = lock.shared(async () => void events.push('b in'));
  await b;
  first.open();
  await a;
  assert.deepEqual(events, ['a in', 'b in', 'a out']);
});

test('GcLock.exclusive waits for shared holders and holds later ones back until it is done', { timeout: 10_000 }, async () => {
  const lock = new GcLock();
  const events: string[] = [];
  const reading = gate();
  const collecting = gate();
  const reader = lock.shared(async () => {
    events.push('reader in');
    await reading.opened;
    events.push('reader out');
  });
  const gc = lock.exclusive(async () => {
    events.push('gc in');
    await collecting.opened;
    events.push('gc out');
  });
  const late = lock.shared(async () => void events.push('late in'));
  reading.open();
  await reader;
  collecting.open();
  await Promise.all([gc, late]);
  assert.deepEqual(events, ['reader in', 'reader out', 'gc in', 'gc out', 'late in']);
});

test('GcLock releases the lock when the work throws', async () => {
  const lock = new GcLock();
  await assert.rejects(lock.exclusive(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await lock.exclusive(async () => 'free'), 'free');
});
