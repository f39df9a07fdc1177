import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from './clock.js';
import { FakeClock } from './fake-clock.js';

test('systemClock reads the wall clock in nanoseconds and fires a timer already due at once', () => {
  const clock = systemClock();
  const before = BigInt(Date.now()) * 1_000_000n;
  const now = clock.now();
  assert.ok(now >= before - 2_000_000n, `${now} is not before ${before}`);
  let fired = 0;
  clock.at(now - 1n, () => fired++);
  assert.equal(fired, 1);
  const cancel = clock.at(now + 3_600_000_000_000n, () => fired++);
  cancel();
  assert.equal(fired, 1);
});

test('FakeClock fires due timers in time order when set, never goes back, and forgets cancelled ones', () => {
  const clock = new FakeClock(100n);
  const fired: string[] = [];
  clock.at(300n, () => fired.push('300'));
  clock.at(200n, () => fired.push('200'));
  const cancel = clock.at(250n, () => fired.push('250'));
  cancel();
  clock.set(50n);
  assert.equal(clock.now(), 100n);
  clock.set(300n);
  assert.deepEqual(fired, ['200', '300']);
  assert.equal(clock.pending, 0);
});
