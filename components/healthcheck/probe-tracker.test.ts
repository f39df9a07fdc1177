import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeTracker } from './probe-tracker.js';

describe('ProbeTracker', () => {
  it('reports NOT_SERVING on the first failure and asks for a restart at the threshold, once', () => {
    const t = new ProbeTracker(3);
    assert.deepEqual(t.record('a', 10, true, '', 1), {});
    assert.deepEqual(t.record('a', 10, false, 'timeout', 2), { report: { serving: false, detail: 'timeout' } });
    assert.deepEqual(t.record('a', 10, false, 'timeout', 3), {});
    assert.deepEqual(t.record('a', 10, false, 'timeout', 4), { restart: 'health check failed 3 times: timeout' });
    assert.deepEqual(t.record('a', 10, false, 'timeout', 5), {});
  });

  it('reports SERVING again when a probe succeeds after failures', () => {
    const t = new ProbeTracker(3);
    t.record('a', 10, false, 'x', 1);
    assert.deepEqual(t.record('a', 10, true, '', 2), { report: { serving: true, detail: '' } });
    assert.equal(t.snapshot()[0]!.consecutiveFailures, 0);
  });

  it('starts a clean record for a new process of the same component', () => {
    const t = new ProbeTracker(2);
    t.record('a', 10, false, 'x', 1);
    assert.deepEqual(t.record('a', 11, false, 'x', 2), { report: { serving: false, detail: 'x' } });
    assert.equal(t.snapshot()[0]!.consecutiveFailures, 1);
  });
});
