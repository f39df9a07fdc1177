import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { EventLog } from './event-log.js';
import { draft, eventsConformance, take } from './events-conformance.js';
import { FakeClock } from './fake-clock.js';
import { LocalEvents } from './local-events.js';

async function open(maxPending?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'mc-events-'));
  const clock = new FakeClock();
  const log = await EventLog.open(dir, { clock });
  return {
    events: new LocalEvents(log, { maxPending }),
    clock,
    close: async () => {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

eventsConformance('LocalEvents', () => open());

test('LocalEvents ends a subscription that leaves more than maxPending live events unread', async (t) => {
  const f = await open(2);
  t.after(() => f.close());
  const sub = f.events.subscribe();
  for (const id of ['a', 'b', 'c']) await f.events.publish(draft('container', 'start', id));
  const got: string[] = [];
  await assert.rejects(
    async () => {
      for await (const e of sub) got.push(e.actor.id);
    },
    (err: Error) => isKind(err, 'unavailable') && /fell 2 events behind/.test(err.message),
  );
  assert.deepEqual(got, ['a', 'b']);
});

test('LocalEvents replays nothing and streams live events when neither since nor until is given', async (t) => {
  const f = await open();
  t.after(() => f.close());
  await f.events.publish(draft('container', 'start', 'before'));
  const sub = f.events.subscribe({ filters: { container: ['aft'] } });
  await f.events.publish(draft('container', 'start', 'other'));
  await f.events.publish(draft('container', 'start', 'after'));
  assert.deepEqual((await take(sub, 1)).map((e) => e.actor.id), ['after']);
});
