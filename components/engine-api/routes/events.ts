/**
 * The events route group: `GET /events`, Docker's event stream (moby `getEvents`).
 *
 * Headers go out once the events service has the subscription, then one chunk per event, each
 * Go-encoded JSON and `\n`; the stream ends when `until` has passed, or when the client goes.
 * Below API 1.52 container and image events carry the legacy `status`, `id` (and for
 * containers `from`); below 1.46 image `create` events are left out, as moby does.
 */
import type { ServerResponse } from 'node:http';
import type { EventMessage } from '../../../core/events/event-message.js';
import { parseEventTime } from '../../../core/events/event-time.js';
import type { EventsSubscriber } from '../../../core/events/events.js';
import { errorOf } from '../../../lib/errdefs/index.js';
import { versionLessThan } from '../api-version.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { parseFilters } from '../filters.js';
import { goJson, writeHead } from '../respond.js';
import type { RequestContext, Route } from '../router.js';

export function eventRoutes(deps: EngineApiDeps): Route[] {
  const subscriber = async (): Promise<EventsSubscriber> => {
    if (!deps.events) throw errorOf('not-implemented', 'no events service in this engine');
    return deps.events();
  };
  return [{ method: 'GET', path: '/events', handler: async (ctx) => streamEvents(ctx, await subscriber()) }];
}

async function streamEvents({ res, query, apiVersion }: RequestContext, events: EventsSubscriber): Promise<void> {
  const since = parseEventTime(query.get('since') ?? '');
  const until = parseEventTime(query.get('until') ?? '');
  if (since !== undefined && until !== undefined && until < since) {
    throw errorOf('invalid-argument', `\`since\` time (${query.get('since')}) cannot be after \`until\` time (${query.get('until')})`);
  }
  const filters = parseFilters(query.get('filters'));
  const sub = events.subscribe({ since, until, filters: Object.fromEntries(filters.keys().map((k) => [k, filters.get(k)])) });
  res.once('close', () => sub.close());
  try {
    await sub.ready;
  } catch (err) {
    sub.close();
    throw err;
  }
  writeHead(res, 200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const legacy = versionLessThan(apiVersion, '1.52');
  const skipImageCreate = versionLessThan(apiVersion, '1.46');
  for await (const event of sub) {
    if (skipImageCreate && event.type === 'image' && event.action === 'create') continue;
    if (!res.write(eventJson(event, legacy))) await drained(res);
  }
  res.end();
}

/**
 * One event as moby encodes it: the legacy fields first when asked, then `Type`, `Action`,
 * `Actor` (attributes sorted by name, as Go sorts map keys), `scope`, `time`, `timeNano`.
 */
export function eventJson(e: EventMessage, legacy: boolean): string {
  const head =
    legacy && e.type === 'container' ? { status: e.action, id: e.actor.id, from: e.actor.attributes.image ?? '' }
    : legacy && e.type === 'image' ? { status: e.action, id: e.actor.id }
    : {};
  const attributes = Object.fromEntries(Object.entries(e.actor.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const body = goJson({ ...head, Type: e.type, Action: e.action, Actor: { ID: e.actor.id, Attributes: attributes }, scope: e.scope, time: e.time });
  // timeNano does not fit a JS number: written as digits after the rest (goJson ends in "}\n").
  return `${body.slice(0, -2)},"timeNano":${e.timeNano}}\n`;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
