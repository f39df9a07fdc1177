import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventDraft } from '../../core/events/event-message.js';
import { createLogger } from '../../lib/component/log.js';
import { Health, RegistryState, State } from '../registry/registry-state.js';
import { ComponentEventPublisher, type ComponentEventSink } from './component-event-publisher.js';

const quiet = createLogger({ component: 'test' }, 'error');

/** A registry with `images` (and `events` hosted by `bus`), and the component events it led to. */
function setup(sink: Partial<ComponentEventSink> = {}) {
  const registry = new RegistryState();
  registry.declare({ name: 'images', services: ['layer-store', 'image-store'], socket: '/run/images.sock', placement: 'process' });
  registry.declare({ name: 'bus', services: ['events'], socket: '/run/bus.sock', placement: 'process' });
  const published: EventDraft[] = [];
  let retries = 0;
  let closed = false;
  const publisher = new ComponentEventPublisher({
    registry,
    log: quiet,
    sink: {
      publish: (d) => void published.push(d),
      flush: async () => undefined,
      retryNow: () => void retries++,
      close: () => void (closed = true),
      ...sink,
    },
  });
  const seen = () => published.map((e) => [e.action, e.actor.attributes.pid ?? '-', e.actor.attributes.reason ?? '-'].join(' '));
  return { registry, publisher, published, seen, retries: () => retries, closed: () => closed };
}

describe('ComponentEventPublisher', () => {
  it('publishes start, health, die, restart, failed and stop as daemon events of the component', () => {
    const { registry, published, seen } = setup();
    registry.update('images', { state: State.STATE_STARTING });
    registry.update('images', { state: State.STATE_RUNNING, health: Health.HEALTH_SERVING, pid: 10 });
    registry.reportHealth('images', Health.HEALTH_NOT_SERVING, 'status NOT_SERVING');
    registry.reportHealth('images', Health.HEALTH_SERVING);
    registry.update('images', { state: State.STATE_RESTARTING, health: Health.HEALTH_NOT_SERVING, pid: 0, restarts: 1, lastReason: 'killed by SIGKILL' });
    registry.reportHealth('images', Health.HEALTH_NOT_SERVING, 'connection refused'); // a late probe: ignored
    registry.update('images', { state: State.STATE_STARTING });
    registry.update('images', { state: State.STATE_RUNNING, health: Health.HEALTH_SERVING, pid: 11 });
    registry.update('images', { state: State.STATE_FAILED, health: Health.HEALTH_NOT_SERVING, pid: 0, lastReason: 'exited with code 1; died 6 times within 60s' });
    registry.update('images', { state: State.STATE_STOPPED, health: Health.HEALTH_UNKNOWN });
    assert.deepEqual(seen(), [
      'component-start 10 -',
      'component-health: unhealthy 10 status NOT_SERVING',
      'component-health: healthy 10 -',
      'component-die 10 killed by SIGKILL',
      'component-restart - killed by SIGKILL',
      'component-start 11 -',
      'component-die 11 exited with code 1; died 6 times within 60s',
      'component-failed - exited with code 1; died 6 times within 60s',
    ]);
    assert.deepEqual(published[0], {
      type: 'daemon',
      action: 'component-start',
      actor: { id: 'images', attributes: { name: 'images', services: 'layer-store,image-store', pid: '10' } },
      scope: 'local',
    });
  });

  it('publishes component-stop when the engine stops a running component, and component-failed for one that never served', () => {
    const { registry, seen } = setup();
    registry.update('images', { state: State.STATE_STARTING });
    registry.update('images', { state: State.STATE_FAILED, lastReason: 'not SERVING after 20000 ms' });
    registry.update('bus', { state: State.STATE_STARTING });
    registry.update('bus', { state: State.STATE_RUNNING, pid: 7 });
    registry.update('bus', { state: State.STATE_STOPPED, pid: 0 });
    assert.deepEqual(seen(), ['component-failed - not SERVING after 20000 ms', 'component-start 7 -', 'component-stop 7 -']);
  });

  it('asks the publisher to retry at once when the component hosting events runs again', () => {
    const { registry, retries } = setup();
    registry.update('images', { state: State.STATE_RUNNING, pid: 10 });
    assert.equal(retries(), 0);
    registry.update('bus', { state: State.STATE_RUNNING, pid: 7 });
    assert.equal(retries(), 1);
  });

  it('never breaks a registry update, even when publishing throws', () => {
    const { registry } = setup({
      publish: () => {
        throw new Error('boom');
      },
    });
    const updated = registry.update('images', { state: State.STATE_RUNNING, pid: 10 });
    assert.equal(updated.state, State.STATE_RUNNING);
    assert.equal(registry.get('images').pid, 10);
  });

  it('stops listening on close', () => {
    const { registry, publisher, published, closed } = setup();
    publisher.close();
    registry.update('images', { state: State.STATE_RUNNING, pid: 10 });
    assert.equal(published.length, 0);
    assert.equal(closed(), true);
  });

  it('with the real EventPublisher: buffers quietly until events first runs, and flush gives up at its deadline', async () => {
    const registry = new RegistryState();
    registry.declare({ name: 'bus', services: ['events'], socket: '/nonexistent/bus.sock', placement: 'process' });
    registry.declare({ name: 'images', services: ['image-store'], socket: '/nonexistent/images.sock', placement: 'process' });
    const told: string[] = [];
    let toldOnce: () => void = () => undefined;
    const firstWord = new Promise<void>((resolve) => (toldOnce = resolve));
    const log = { ...quiet, debug: (m: string) => (told.push(`debug ${m}`), toldOnce()), warn: (m: string) => (told.push(`warn ${m}`), toldOnce()) };
    const publisher = new ComponentEventPublisher({ registry, log });
    try {
      registry.update('images', { state: State.STATE_RUNNING, pid: 10 });
      await firstWord;
      assert.deepEqual(told, ['debug events service unreachable; buffering events'], 'not running yet is not an outage');
      await publisher.flush(20);
    } finally {
      publisher.close();
    }
  });
});
