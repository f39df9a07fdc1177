import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clearRemoving, newContainerId, resetForManualStart, rfc3339Nano, setDead, setManuallyStopped, setPaused, setRemoving,
  setRestarting, setRunning, setStartFailed, setStopped, setUnpaused, shortId, statusOf, ZERO_TIME,
} from './container-record.js';
import { sampleRecord } from './test-fixtures.js';

describe('container records', () => {
  it('makes 64-hex ids whose first 12 characters are not all digits', () => {
    const id = newContainerId();
    assert.match(id, /^[0-9a-f]{64}$/);
    let calls = 0;
    const digitsFirst = (n: number) => Buffer.from((calls++ === 0 ? '1'.repeat(2 * n) : 'ab'.repeat(n)), 'hex');
    assert.equal(newContainerId(digitsFirst), 'ab'.repeat(32));
    assert.equal(calls, 2);
    assert.equal(shortId(id), id.slice(0, 12));
    assert.equal(shortId(`sha256:${id}`), id.slice(0, 12));
  });

  it('starts created, with Docker\'s defaults and paths', () => {
    const rec = sampleRecord({ name: 'x1' });
    assert.equal(rec.name, '/x1');
    assert.equal(rec.state.status, 'created');
    assert.equal(rec.state.startedAt, ZERO_TIME);
    assert.equal(rec.state.finishedAt, ZERO_TIME);
    assert.equal(rec.runtime, 'runc');
    assert.equal(rec.driver, 'overlay2');
    assert.equal(rec.platform, 'linux');
    assert.equal(rec.logPath, `/var/lib/moby/containers/${rec.id}/${rec.id}-json.log`);
    assert.equal(rec.hostsPath, `/var/lib/moby/containers/${rec.id}/hosts`);
    assert.deepEqual(rec.execIds, []);
    assert.equal(rec.created, '2026-11-23T16:39:06.206Z');
  });

  it('moves through the lifecycle without mutating its input', () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const created = sampleRecord();
    const frozen = structuredClone(created);
    const running = setRunning(created, 42, t(1));
    assert.deepEqual(created, frozen);
    assert.equal(running.state.status, 'running');
    assert.equal(running.state.pid, 42);
    assert.equal(running.state.startedAt, '2026-01-01T00:00:01Z');
    assert.equal(running.hasBeenStartedBefore, true);
    const paused = setPaused(running);
    assert.equal(paused.state.status, 'paused');
    assert.equal(paused.state.running, true);
    assert.equal(setUnpaused(paused).state.status, 'running');
    const restarting = setRestarting(running, { exitCode: 2 }, t(2));
    assert.equal(restarting.state.status, 'restarting');
    assert.equal(restarting.state.running, true);
    assert.equal(restarting.state.pid, 0);
    assert.equal(restarting.restartCount, 1);
    const exited = setStopped(running, { exitCode: 137, oomKilled: true }, t(3));
    assert.equal(exited.state.status, 'exited');
    assert.equal(exited.state.exitCode, 137);
    assert.equal(exited.state.oomKilled, true);
    assert.equal(exited.state.finishedAt, '2026-01-01T00:00:03Z');
    assert.equal(setRunning(exited, 7, t(4)).state.oomKilled, false);
    const removing = setRemoving(exited);
    assert.equal(removing.state.status, 'removing');
    assert.equal(clearRemoving(removing).state.status, 'exited');
    assert.equal(setDead(removing).state.status, 'dead');
    const failed = setStartFailed(created, 'exec: "nope": executable file not found in $PATH', 127);
    assert.equal(failed.state.status, 'created');
    assert.equal(failed.state.exitCode, 127);
    assert.match(failed.state.error, /executable file not found/);
    const stopped = setManuallyStopped(exited, true);
    assert.equal(stopped.hasBeenManuallyStopped, true);
    const reset = resetForManualStart({ ...stopped, restartCount: 4 });
    assert.equal(reset.restartCount, 0);
    assert.equal(reset.hasBeenManuallyStopped, false);
    assert.equal(statusOf({ ...exited.state, running: true, paused: true, restarting: true }), 'paused');
  });

  it('writes times as Go does, with nanoseconds', () => {
    assert.equal(rfc3339Nano(new Date('2026-11-23T16:39:06.000Z')), '2026-11-23T16:39:06Z');
    assert.equal(rfc3339Nano(new Date('2026-11-23T16:39:06.206Z'), 459_911), '2026-11-23T16:39:06.206459911Z');
    assert.equal(rfc3339Nano(new Date('2026-11-23T16:39:06.200Z')), '2026-11-23T16:39:06.2Z');
  });
});
