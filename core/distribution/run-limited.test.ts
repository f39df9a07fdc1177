import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLimited } from './run-limited.js';

test('runLimited runs at most `limit` tasks at once, in item order', async () => {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
    started.push(item);
    peak = Math.max(peak, ++running);
    await new Promise((resolve) => setImmediate(resolve));
    running--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(started, [1, 2, 3, 4, 5, 6, 7]);
});

test('runLimited stops starting tasks after a failure, aborts the running ones and rethrows the first error', async () => {
  const started: number[] = [];
  let abortedSeen = false;
  await assert.rejects(runLimited([1, 2, 3, 4, 5], 2, async (item, _i, signal) => {
    started.push(item);
    if (item === 1) {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('first');
    }
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    abortedSeen = true;
    throw new Error('second');
  }), { message: 'first' });
  assert.deepEqual(started, [1, 2]);
  assert.equal(abortedSeen, true);
});
