/**
 * The conformance suite of the `Events` contract: any implementation, local or over gRPC,
 * must pass it. The fixture's clock is the one the implementation stamps and times `until` by.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import type { EventDraft, EventMessage } from './event-message.js';
import type { Events, EventSubscription } from './events.js';
import type { FakeClock } from './fake-clock.js';

export interface EventsFixture {
  events: Events;
  clock: FakeClock;
  close(): Promise<void>;
}

const second = 1_000_000_000n;

export function draft(type: string, action: string, id: string, attributes: Record<string, string> = {}): EventDraft {
  return { type, action, actor: { id, attributes } };
}

/** The first `n` events of `sub`, then closes it. */
export async function take(sub: EventSubscription, n: number): Promise<EventMessage[]> {
  const got: EventMessage[] = [];
  if (n === 0) return got;
  for await (const event of sub) {
    got.push(event);
    if (got.length === n) break;
  }
  sub.close();
  return got;
}

/** Every event of `sub` until it ends by itself. */
export async function drain(sub: EventSubscription): Promise<EventMessage[]> {
  const got: EventMessage[] = [];
  for await (const event of sub) got.push(event);
  return got;
}

const actions = (events: EventMessage[]) => events.map((e) => `${e.actor.id} ${e.action}`);

export function eventsConformance(name: string, setup: () => Promise<EventsFixture>): void {
  describe(`${name} passes the Events conformance suite`, { timeout: 30_000 }, () => {
    const fixture = async (t: { after(fn: () => Promise<void>): void }) => {
      const f = await setup();
      t.after(() => f.close());
      return f;
    };

    it('publish stamps strictly increasing times from the clock, scope local by default', async (t) => {
      const { events, clock } = await fixture(t);
      const t0 = clock.now();
      const a = await events.publish(draft('container', 'create', 'c1', { name: 'web' }));
      const b = await events.publish({ ...draft('container', 'start', 'c1'), scope: 'swarm' });
      clock.advance(5n * second);
      const c = await events.publish(draft('image', 'tag', 'sha256:1'));
      assert.deepEqual([a.timeNano, b.timeNano, c.timeNano], [t0, t0 + 1n, t0 + 5n * second]);
      assert.equal(a.time, Number(t0 / second));
      assert.deepEqual([a.scope, b.scope], ['local', 'swarm']);
      assert.deepEqual(a.actor, { id: 'c1', attributes: { name: 'web' } });
    });

    it('publish refuses an event without a type or an action as invalid-argument', async (t) => {
      const { events } = await fixture(t);
      await assert.rejects(events.publish(draft('', 'start', 'c1')), (err: Error) => isKind(err, 'invalid-argument'));
      await assert.rejects(events.publish(draft('container', '', 'c1')), (err: Error) => isKind(err, 'invalid-argument'));
    });

    it('subscribe with since replays the stored events in order, then delivers live ones', async (t) => {
      const { events, clock } = await fixture(t);
      await events.publish(draft('container', 'create', 'c1'));
      clock.advance(second);
      const b = await events.publish(draft('container', 'start', 'c1'));
      await events.publish(draft('container', 'die', 'c1'));
      const sub = events.subscribe({ since: b.timeNano });
      await sub.ready;
      await events.publish(draft('container', 'destroy', 'c1'));
      assert.deepEqual(actions(await take(sub, 3)), ['c1 start', 'c1 die', 'c1 destroy']);
    });

    it('subscribe with an until in the past replays that window and ends', async (t) => {
      const { events, clock } = await fixture(t);
      const a = await events.publish(draft('container', 'create', 'c1'));
      clock.advance(second);
      const b = await events.publish(draft('container', 'start', 'c1'));
      clock.advance(second);
      await events.publish(draft('container', 'die', 'c1'));
      assert.deepEqual(actions(await drain(events.subscribe({ since: a.timeNano, until: b.timeNano }))), ['c1 create', 'c1 start']);
      assert.deepEqual(actions(await drain(events.subscribe({ until: a.timeNano }))), ['c1 create']);
    });

    it('without since or until, only events published after ready are delivered', async (t) => {
      const { events } = await fixture(t);
      await events.publish(draft('container', 'create', 'old'));
      const sub = events.subscribe();
      await sub.ready;
      await events.publish(draft('container', 'create', 'new'));
      assert.deepEqual(actions(await take(sub, 1)), ['new create']);
    });

    it('filters apply to stored and live events alike', async (t) => {
      const { events } = await fixture(t);
      await events.publish(draft('container', 'start', 'c1', { name: 'web' }));
      await events.publish(draft('image', 'die', 'sha256:1'));
      await events.publish(draft('container', 'die', 'c1', { name: 'web' }));
      const sub = events.subscribe({ since: 0n, filters: { type: ['container'], event: ['die'] } });
      await sub.ready;
      await events.publish(draft('container', 'start', 'c2', { name: 'db' }));
      await events.publish(draft('container', 'die', 'c2', { name: 'db' }));
      assert.deepEqual(actions(await take(sub, 2)), ['c1 die', 'c2 die']);
    });

    it('a subscription with until ends once the clock passes it, after the events up to it', async (t) => {
      const { events, clock } = await fixture(t);
      await events.publish(draft('container', 'create', 'c1'));
      const sub = events.subscribe({ since: 0n, until: clock.now() + 10n * second });
      await sub.ready;
      await events.publish(draft('container', 'start', 'c1'));
      const all = drain(sub);
      clock.advance(11n * second);
      assert.deepEqual(actions(await all), ['c1 create', 'c1 start']);
    });

    it('close ends a live subscription', async (t) => {
      const { events } = await fixture(t);
      const sub = events.subscribe();
      await sub.ready;
      const all = drain(sub);
      sub.close();
      assert.deepEqual(await all, []);
    });

    it('refuses an until before since as invalid-argument', async (t) => {
      const { events } = await fixture(t);
      await assert.rejects(
        async () => events.subscribe({ since: 2n * second, until: second }).ready,
        (err: Error) => isKind(err, 'invalid-argument') && /`since` time \(2\.000000000\) cannot be after `until` time \(1\.000000000\)/.test(err.message),
      );
    });
  });
}
