import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setRunning, setStopped, type RestartPolicy } from './container-record.js';
import { decideRestart, exitFactsOf, nextBackoff, restartOnBoot, restartPolicyError, type ExitFacts } from './restart-policy.js';
import { sampleRecord } from './test-fixtures.js';

const facts = (over: Partial<ExitFacts> = {}): ExitFacts => ({
  exitCode: 1, manuallyStopped: false, runDurationMs: 500, restartCount: 0, previousBackoffMs: 0, ...over,
});
const policy = (Name: RestartPolicy['Name'], MaximumRetryCount = 0): RestartPolicy => ({ Name, MaximumRetryCount });

describe('decideRestart', () => {
  it('no / empty never restart', () => {
    assert.equal(decideRestart(policy('no'), facts()).restart, false);
    assert.equal(decideRestart(policy(''), facts()).restart, false);
    assert.equal(decideRestart(undefined, facts()).restart, false);
  });

  it('always and unless-stopped restart on any exit unless stopped by hand', () => {
    for (const name of ['always', 'unless-stopped'] as const) {
      const d = decideRestart(policy(name), facts({ exitCode: 0 }));
      assert.deepEqual(d, { restart: true, delayMs: 100, backoffMs: 100, restartCount: 1 });
      assert.equal(decideRestart(policy(name), facts({ manuallyStopped: true })).restart, false);
    }
  });

  it('on-failure restarts non-zero exits within the retry count (0 = unlimited)', () => {
    assert.equal(decideRestart(policy('on-failure'), facts({ exitCode: 0 })).restart, false);
    assert.equal(decideRestart(policy('on-failure'), facts({ restartCount: 1000 })).restart, true);
    assert.equal(decideRestart(policy('on-failure', 3), facts({ restartCount: 2 })).restart, true);
    const done = decideRestart(policy('on-failure', 3), facts({ restartCount: 3 }));
    assert.equal(done.restart, false);
    assert.equal(done.restartCount, 3);
  });

  it('backs off from 100 ms, doubling, capped at a minute, reset after 10 s of running', () => {
    let backoff = 0;
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const d = decideRestart(policy('always'), facts({ previousBackoffMs: backoff, restartCount: i }));
      delays.push(d.delayMs);
      backoff = d.backoffMs;
    }
    assert.deepEqual(delays.slice(0, 5), [100, 200, 400, 800, 1600]);
    assert.equal(delays[11], 60_000);
    assert.equal(decideRestart(policy('always'), facts({ previousBackoffMs: 60_000, runDurationMs: 10_000 })).delayMs, 100);
    assert.equal(nextBackoff(400, 9_999), 800);
  });
});

describe('exit facts and boot', () => {
  it('derives run time and manual stops from the record', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    let rec = setRunning(sampleRecord({ hostConfig: { RestartPolicy: policy('unless-stopped') } }), 5, t0);
    rec = setStopped(rec, { exitCode: 137 }, new Date(t0.getTime() + 12_000));
    const f = exitFactsOf(rec, 800);
    assert.equal(f.runDurationMs, 12_000);
    assert.equal(f.exitCode, 137);
    assert.equal(exitFactsOf(rec, 0, true).manuallyStopped, true);
    assert.equal(restartOnBoot(rec), true);
    assert.equal(restartOnBoot({ ...rec, hasBeenManuallyStopped: true }), false);
    assert.equal(restartOnBoot(sampleRecord({ hostConfig: { RestartPolicy: policy('always') } })), false); // never ran
  });

  it('validates policies with Docker\'s messages', () => {
    assert.equal(restartPolicyError({ Name: 'on-failure', MaximumRetryCount: 5 }), undefined);
    assert.equal(restartPolicyError({ Name: '', MaximumRetryCount: 5 }), undefined);
    assert.match(restartPolicyError({ Name: 'x' })!, /^invalid restart policy: unknown policy 'x'/);
  });
});
