import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { draft, take } from '../../core/events/events-conformance.js';
import { startComponent, type ComponentHostOptions } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import { RegistryClient } from '../../lib/component/registry-client.js';
import { RegistryState } from '../registry/registry-state.js';
import { registryBinding } from '../registry/service.js';
import { EventsClient } from './client.js';
import { eventsService } from './events-service.js';
import { EventPublisher } from './publisher.js';

/** A registry that knows `events` is hosted by the component `bus`, and a way to (re)start bus. */
async function setup(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'mc-evp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const registrySocket = join(dir, 'registry.sock');
  const host = (name: string, services: ComponentHostOptions['services']): ComponentHostOptions => ({
    name, socket: join(dir, `${name}.sock`), registrySocket, roots: { dataRoot: dir, execRoot: dir }, services, drainMs: 0,
    log: createLogger({ component: name }, 'error'),
  });
  const state = new RegistryState();
  state.declare({ name: 'bus', services: ['events'], socket: join(dir, 'bus.sock'), placement: 'inline' });
  const registry = await startComponent(host('registry', [{ name: 'component-registry', implementation: 'test', factory: () => ({ grpc: [registryBinding(state)] }) }]));
  t.after(() => registry.close());
  const registryClient = new RegistryClient(registrySocket);
  t.after(() => registryClient.close());
  const startBus = async () => {
    const bus = await startComponent(host('bus', [{ name: 'events', implementation: 'local', factory: eventsService }]));
    t.after(() => bus.close());
    return bus;
  };
  return { registryClient, startBus };
}

test('EventPublisher delivers through the registry, buffers while events is down, and delivers the newest after its restart', { timeout: 30_000 }, async (t) => {
  const { registryClient, startBus } = await setup(t);
  const warnings: string[] = [];
  const publisher = new EventPublisher({
    registry: registryClient,
    bufferSize: 3,
    retryDelayMs: { min: 5, max: 20 },
    log: { warn: (msg) => void warnings.push(msg) },
  });
  t.after(() => publisher.close());

  const bus = await startBus();
  publisher.publish(draft('container', 'create', 'a'));
  await publisher.flush();
  await bus.close();

  for (const id of ['b', 'c', 'd', 'e']) assert.equal(publisher.publish(draft('container', 'start', id)), undefined);
  assert.equal(publisher.dropped, 1, 'the oldest of four went past the buffer of three');
  assert.ok(publisher.pending <= 3);

  await startBus();
  await publisher.flush();
  assert.equal(publisher.pending, 0);
  const events = await EventsClient.dial(registryClient);
  t.after(() => events.close());
  const got = await take(events.subscribe({ since: 0n }), 4);
  assert.deepEqual(got.map((e) => e.actor.id), ['a', 'c', 'd', 'e']);
  assert.ok(warnings.includes('events service unreachable; buffering events'), warnings.join('; '));
  assert.ok(warnings.includes('events buffer full; dropping the oldest events'), warnings.join('; '));
});

test('EventPublisher drops an event the service refuses, without stopping or throwing', { timeout: 30_000 }, async (t) => {
  const { registryClient, startBus } = await setup(t);
  await startBus();
  const publisher = new EventPublisher({ registry: registryClient, retryDelayMs: { min: 5, max: 20 } });
  t.after(() => publisher.close());
  publisher.publish(draft('', 'start', 'bad'));
  publisher.publish(draft('container', 'start', 'good'));
  await publisher.flush();
  assert.equal(publisher.dropped, 1);
  const events = await EventsClient.dial(registryClient);
  t.after(() => events.close());
  assert.deepEqual((await take(events.subscribe({ since: 0n }), 1)).map((e) => e.actor.id), ['good']);
});

test('EventPublisher.publish never throws, even with no events service at all, and close stops it', async (t) => {
  const publisher = new EventPublisher({
    registry: { resolve: async () => Promise.reject(new Error('no registry')) },
    retryDelayMs: { min: 5, max: 20 },
  });
  t.after(() => publisher.close());
  publisher.publish(draft('container', 'start', 'a'));
  const flushed = publisher.flush();
  publisher.close();
  await flushed;
  publisher.publish(draft('container', 'start', 'b'));
  assert.equal(publisher.pending, 1, 'nothing more is queued after close');
});

test('EventPublisher.retryNow ends the back-off pause: delivery resumes without waiting it out', { timeout: 30_000 }, async (t) => {
  const { registryClient, startBus } = await setup(t);
  let paused: () => void = () => undefined;
  const failedOnce = new Promise<void>((resolve) => (paused = resolve));
  const publisher = new EventPublisher({
    registry: registryClient,
    // A pause far longer than the test's timeout: only retryNow can end it in time.
    retryDelayMs: { min: 600_000, max: 600_000 },
    // Told in the same turn as the pause begins.
    log: { warn: (msg) => msg === 'events service unreachable; buffering events' && paused() },
  });
  t.after(() => publisher.close());
  publisher.publish(draft('container', 'start', 'a'));
  await failedOnce;
  await startBus();
  publisher.retryNow();
  await publisher.flush();
  assert.equal(publisher.pending, 0);
  const events = await EventsClient.dial(registryClient);
  t.after(() => events.close());
  assert.deepEqual((await take(events.subscribe({ since: 0n }), 1)).map((e) => e.actor.id), ['a']);
});
