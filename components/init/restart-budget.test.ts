import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBudget } from './restart-budget.js';

describe('RestartBudget', () => {
  const policy = { initialMs: 100, maxMs: 1000, limit: 3, windowMs: 10_000 };

  it('backs off exponentially up to the maximum', () => {
    let t = 0;
    const b = new RestartBudget({ ...policy, limit: 10 }, () => t);
    const delays = [1, 2, 3, 4, 5].map(() => {
      t += 10;
      const d = b.onDeath();
      assert.ok(d.restart);
      return d.delayMs;
    });
    assert.deepEqual(delays, [100, 200, 400, 800, 1000]);
  });

  it('gives up once the component died more than the limit within the window', () => {
    let t = 0;
    const b = new RestartBudget(policy, () => t);
    for (let i = 0; i < 3; i++) assert.equal(b.onDeath().restart, true);
    const d = b.onDeath();
    assert.equal(d.restart, false);
    assert.match((d as { reason: string }).reason, /died 4 times within 10s/);
  });

  it('forgets deaths older than the window, so a rare crash restarts at once', () => {
    let t = 0;
    const b = new RestartBudget(policy, () => t);
    b.onDeath();
    b.onDeath();
    t += 20_000;
    assert.deepEqual(b.onDeath(), { restart: true, delayMs: 100 });
  });
});
