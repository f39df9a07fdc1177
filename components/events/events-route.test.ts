/** `GET /events` (components/engine-api/routes/events.ts) over Node's http client and raw bytes. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { EventLog } from '../../core/events/event-log.js';
import { stamp } from '../../core/events/event-message.js';
import { formatEventTime } from '../../core/events/event-time.js';
import { draft } from '../../core/events/events-conformance.js';
import type { EventsSubscriber, EventSubscription } from '../../core/events/events.js';
import { FakeClock } from '../../core/events/fake-clock.js';
import { LocalEvents } from '../../core/events/local-events.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { eventJson } from '../engine-api/routes/events.js';
import { request } from '../engine-api/test-engine.js';
import { lines, open, startEventsEngine } from './route-fixture.js';

const second = 1_000_000_000n;

/** An engine over LocalEvents with a fake clock; `nextClose` resolves when the route closes a subscription. */
async function setup(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'mc-evr-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock(1_700_000_000_123_456_789n);
  const log = await EventLog.open(dir, { clock });
  t.after(() => log.close());
  const events = new LocalEvents(log);
  let onClose: (() => void) | undefined;
  const subscriber: EventsSubscriber = {
    subscribe: (options) => {
      const sub = events.subscribe(options);
      const close = () => {
        onClose?.();
        sub.close();
      };
      return { ready: sub.ready, close, [Symbol.asyncIterator]: () => sub[Symbol.asyncIterator]() } satisfies EventSubscription;
    },
  };
  const engine = await startEventsEngine(async () => subscriber);
  t.after(() => engine.close());
  const nextClose = () => new Promise<void>((resolve) => (onClose = resolve));
  return { engine, events, clock, nextClose };
}

const web = { image: 'busybox:local', name: 'web' };

describe('GET /events', { timeout: 30_000 }, () => {
  it('replays a past window as one chunk of JSON and newline per event, with the legacy fields, then ends', async (t) => {
    const { engine, events, clock } = await setup(t);
    const a = await events.publish(draft('container', 'create', '63fe', web));
    clock.advance(second);
    const b = await events.publish(draft('network', 'connect', '8a13', { container: '63fe', name: 'bridge', type: 'bridge' }));
    await events.publish(draft('image', 'tag', 'sha256:66', { name: 'busybox:local' }));
    clock.advance(second);
    const raw = await rawGet(engine.socketPath, `/events?since=${formatEventTime(a.timeNano)}&until=${formatEventTime(b.timeNano + 1n)}`);
    const split = raw.indexOf('\r\n\r\n');
    const [head, body] = [raw.slice(0, split), raw.slice(split + 4)];
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head, /\r\nContent-Type: application\/json\r\n/);
    assert.match(head, /\r\nTransfer-Encoding: chunked(\r\n|$)/);
    const expected = [
      '{"status":"create","id":"63fe","from":"busybox:local","Type":"container","Action":"create","Actor":{"ID":"63fe","Attributes":{"image":"busybox:local","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}\n',
      `{"Type":"network","Action":"connect","Actor":{"ID":"8a13","Attributes":{"container":"63fe","name":"bridge","type":"bridge"}},"scope":"local","time":1700000001,"timeNano":${b.timeNano}}\n`,
      `{"status":"tag","id":"sha256:66","Type":"image","Action":"tag","Actor":{"ID":"sha256:66","Attributes":{"name":"busybox:local"}},"scope":"local","time":1700000001,"timeNano":${b.timeNano + 1n}}\n`,
    ];
    assert.equal(body, `${expected.map((line) => `${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n`).join('')}0\r\n\r\n`);
  });

  it('sends its headers at once, then live events as they happen, and stops when the client leaves', async (t) => {
    const { engine, events, nextClose } = await setup(t);
    await events.publish(draft('container', 'create', 'old', web));
    const { res, req } = await open(engine.socketPath, '/events');
    assert.equal(res.statusCode, 200, 'headers before any event');
    assert.equal(res.headers['content-type'], 'application/json');
    const first = lines(res, 1);
    await events.publish(draft('container', 'start', '63fe', web));
    assert.deepEqual((await first).map((l) => JSON.parse(l).Action), ['start']);
    const released = nextClose();
    req.destroy();
    await released; // the route closed the subscription of the client that left
    assert.equal(res.destroyed, true);
  });

  it('ends the stream once until has passed', async (t) => {
    const { engine, events, clock } = await setup(t);
    const { res } = await open(engine.socketPath, `/events?until=${formatEventTime(clock.now() + 10n * second)}`);
    const all = lines(res);
    await events.publish(draft('container', 'start', '63fe', web));
    clock.advance(11n * second);
    assert.deepEqual((await all).map((l) => JSON.parse(l).Action), ['start']);
  });

  it('applies the filters', async (t) => {
    const { engine, events, clock } = await setup(t);
    await events.publish(draft('container', 'start', '63fe', web));
    await events.publish(draft('container', 'die', '63fe', { ...web, exitCode: '0' }));
    await events.publish(draft('image', 'die', 'x'));
    clock.advance(second);
    const filters = encodeURIComponent(JSON.stringify({ type: { container: true }, event: { die: true } }));
    const res = await request(engine.socketPath, 'GET', `/events?since=0&until=${formatEventTime(clock.now() - 1n)}&filters=${filters}`);
    assert.deepEqual(res.body.trim().split('\n').map((l) => `${JSON.parse(l).Type} ${JSON.parse(l).Action}`), ['container die']);
  });

  it('leaves out image create events below API 1.46', async (t) => {
    const { engine, events, clock } = await setup(t);
    await events.publish(draft('image', 'create', 'sha256:1'));
    await events.publish(draft('image', 'tag', 'sha256:1'));
    clock.advance(second);
    const path = (v: string) => `/v${v}/events?since=0&until=${formatEventTime(clock.now() - 1n)}`;
    const actions = async (v: string) => (await request(engine.socketPath, 'GET', path(v))).body.trim().split('\n').map((l) => JSON.parse(l).Action);
    assert.deepEqual(await actions('1.45'), ['tag']);
    assert.deepEqual(await actions('1.46'), ['create', 'tag']);
  });

  it("answers 400 with moby's message for a bad since, until before since, or bad filters", async (t) => {
    const { engine } = await setup(t);
    const bad = async (query: string, message: RegExp) => {
      const res = await request(engine.socketPath, 'GET', `/events?${query}`);
      assert.equal(res.status, 400, query);
      assert.match(JSON.parse(res.body).message, message);
    };
    await bad('since=abc', /^invalid timestamp "abc": invalid seconds "abc": invalid syntax$/);
    await bad('until=1.x', /^invalid timestamp "1.x": invalid nanoseconds: invalid character 'x' at position 0$/);
    await bad('since=20&until=10', /^`since` time \(20\) cannot be after `until` time \(10\)$/);
    await bad('filters=%7Bnope', /^invalid filters/);
  });

  it('answers with the status of a refused subscription, and 501 without an events service', async (t) => {
    const refusing: EventsSubscriber = {
      subscribe: () => {
        const ready = Promise.reject(errorOf('unavailable', 'events: connection refused'));
        ready.catch(() => undefined);
        return { ready, close: () => undefined, [Symbol.asyncIterator]: async function* () {} };
      },
    };
    const down = await startEventsEngine(async () => refusing);
    t.after(() => down.close());
    const res = await request(down.socketPath, 'GET', '/events');
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(res.body), { message: 'events: connection refused' });
    const none = await startEventsEngine(undefined);
    t.after(() => none.close());
    assert.equal((await request(none.socketPath, 'GET', '/events')).status, 501);
  });
});

describe('eventJson', () => {
  const at = 1_700_000_000_000_000_007n;
  it('leaves the legacy fields out from API 1.52, and never adds them to other types', () => {
    const e = stamp(draft('container', 'die', 'c1', { name: 'web', exitCode: '0' }), at);
    assert.equal(
      eventJson(e, false),
      '{"Type":"container","Action":"die","Actor":{"ID":"c1","Attributes":{"exitCode":"0","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000000000007}\n',
    );
    assert.match(eventJson(e, true), /^\{"status":"die","id":"c1","from":"","Type"/);
    assert.match(eventJson(stamp(draft('volume', 'create', 'v'), at), true), /^\{"Type":"volume"/);
  });

  it('escapes as Go does', () => {
    assert.match(eventJson(stamp(draft('container', 'exec_start: sh -c a<b&c', 'c1'), at), false), /"Action":"exec_start: sh -c a\\u003cb\\u0026c"/);
  });
});

/** One request on a raw socket; resolves with every byte of the response once it ends. */
function rawGet(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let text = '';
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
