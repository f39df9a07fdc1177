import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { draft, drain, eventsConformance } from '../../core/events/events-conformance.js';
import { FakeClock } from '../../core/events/fake-clock.js';
import { startComponent } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import type { ServiceFactory } from '../../lib/component/service.js';
import { EventsClient } from './client.js';
import { createEventsService } from './events-service.js';

async function startEvents(dir: string, factory: ServiceFactory) {
  return startComponent({
    name: 'events',
    socket: join(dir, 'events.sock'),
    registrySocket: join(dir, 'registry.sock'), // never dialled: the events service requires nothing
    roots: { dataRoot: dir, execRoot: dir },
    services: [{ name: 'events', implementation: 'local', factory }],
    log: createLogger({ component: 'events' }, 'error'),
    drainMs: 0,
  });
}

eventsConformance('EventsClient against the events component', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mc-evc-'));
  const clock = new FakeClock();
  try {
    const component = await startEvents(dir, createEventsService({ clock }));
    const events = new EventsClient(component.socket);
    return {
      events,
      clock,
      close: async () => {
        events.close();
        await component.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
});

test('eventsService keeps its log under <data-root>/events, across a restart of the component', { timeout: 30_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mc-evs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock();
  const first = await startEvents(dir, createEventsService({ clock }));
  t.after(() => first.close());
  const client = new EventsClient(first.socket);
  t.after(() => client.close());
  const a = await client.publish(draft('container', 'create', 'c1', { name: 'web' }));
  await first.close();
  assert.ok(existsSync(join(dir, 'events', '0000000001.jsonl')));

  const again = await startEvents(dir, createEventsService({ clock }));
  t.after(() => again.close());
  const b = await client.publish(draft('container', 'start', 'c1', { name: 'web' }));
  assert.ok(b.timeNano > a.timeNano);
  clock.advance(1_000_000_000n); // until in the past: replay only, then the stream ends
  const replayed = await drain(client.subscribe({ since: 0n, until: b.timeNano }));
  assert.deepEqual(replayed, [a, b]);
});
