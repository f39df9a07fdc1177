import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Health, RegistryState, State, type Component } from './registry-state.js';

function withImages(): RegistryState {
  const r = new RegistryState(() => 1000);
  r.declare({ name: 'images', services: ['image-store'], socket: '/run/images.sock', placement: 'process' });
  return r;
}

describe('RegistryState', () => {
  it('tells listeners each change with the record before it, and nothing for a patch that changes nothing', () => {
    const r = withImages();
    const seen: [Partial<Component>, Partial<Component>][] = [];
    r.subscribe((next, previous) => seen.push([{ state: next.state, pid: next.pid }, { state: previous.state, pid: previous.pid }]));
    r.update('images', { state: State.STATE_RUNNING, pid: 10 });
    r.update('images', { state: State.STATE_RUNNING, pid: 10 });
    r.update('images', { state: State.STATE_RESTARTING, pid: 0 });
    assert.deepEqual(seen, [
      [{ state: State.STATE_RUNNING, pid: 10 }, { state: State.STATE_STOPPED, pid: 0 }],
      [{ state: State.STATE_RESTARTING, pid: 0 }, { state: State.STATE_RUNNING, pid: 10 }],
    ]);
  });

  it('reportHealth records the verdict on a running component, with its detail as the last reason', () => {
    const r = withImages();
    r.update('images', { state: State.STATE_RUNNING, health: Health.HEALTH_SERVING, pid: 10 });
    const c = r.reportHealth('images', Health.HEALTH_NOT_SERVING, 'deadline exceeded');
    assert.equal(c.health, Health.HEALTH_NOT_SERVING);
    assert.equal(c.lastReason, 'deadline exceeded');
    assert.equal(r.reportHealth('images', Health.HEALTH_SERVING).lastReason, 'deadline exceeded');
    assert.equal(r.get('images').health, Health.HEALTH_SERVING);
  });

  it('reportHealth ignores a verdict on a component that is not running, keeping why it stopped', () => {
    const r = withImages();
    r.update('images', { state: State.STATE_RESTARTING, health: Health.HEALTH_NOT_SERVING, lastReason: 'killed by SIGKILL' });
    r.reportHealth('images', Health.HEALTH_NOT_SERVING, 'connection refused');
    assert.equal(r.get('images').lastReason, 'killed by SIGKILL');
    assert.throws(() => r.reportHealth('nope', Health.HEALTH_SERVING), /component nope: not found/);
  });

  it('reportHealth ignores a verdict about an earlier process of a restarted component', () => {
    const r = withImages();
    r.update('images', { state: State.STATE_RUNNING, health: Health.HEALTH_SERVING, pid: 200 });
    r.reportHealth('images', Health.HEALTH_NOT_SERVING, 'connection refused', 100);
    assert.equal(r.get('images').health, Health.HEALTH_SERVING);
    r.reportHealth('images', Health.HEALTH_NOT_SERVING, 'deadline exceeded', 200);
    assert.equal(r.get('images').health, Health.HEALTH_NOT_SERVING);
  });
});
