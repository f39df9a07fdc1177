/** Proto ↔ domain for the events service, in one place. */
import type { Event, EventTime, SubscribeRequest } from '../../api/moby/events/v1/events.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { nanosPerSecond, stamp, type EventDraft, type EventMessage } from '../../core/events/event-message.js';
import type { SubscribeOptions } from '../../core/events/events.js';

// int64 travels as a JS number here (ts-proto forceLong=number): keep seconds within its exact range.
const maxSeconds = BigInt(Number.MAX_SAFE_INTEGER);

export function timeToProto(timeNano: bigint): EventTime {
  let seconds = timeNano / nanosPerSecond;
  let nanos = timeNano - seconds * nanosPerSecond;
  if (nanos < 0n) [seconds, nanos] = [seconds - 1n, nanos + nanosPerSecond];
  if (seconds > maxSeconds) [seconds, nanos] = [maxSeconds, 0n];
  if (seconds < -maxSeconds) [seconds, nanos] = [-maxSeconds, 0n];
  return { seconds: Number(seconds), nanos: Number(nanos) };
}

export function timeFromProto(t: EventTime): bigint {
  return BigInt(t.seconds) * nanosPerSecond + BigInt(t.nanos);
}

export function draftToProto(d: EventDraft): Event {
  return { type: d.type, action: d.action, actor: { id: d.actor.id, attributes: d.actor.attributes }, scope: d.scope ?? '', time: undefined };
}

export function draftFromProto(e: Event): EventDraft {
  return { type: e.type, action: e.action, actor: { id: e.actor?.id ?? '', attributes: e.actor?.attributes ?? {} }, scope: e.scope };
}

export function eventToProto(e: EventMessage): Event {
  return { ...draftToProto(e), time: timeToProto(e.timeNano) };
}

export function eventFromProto(e: Event): EventMessage {
  if (!e.time) throw errorOf('internal', 'events: an event came without its time');
  return stamp(draftFromProto(e), timeFromProto(e.time));
}

export function subscribeToProto(o: SubscribeOptions): SubscribeRequest {
  return {
    since: o.since === undefined ? undefined : timeToProto(o.since),
    until: o.until === undefined ? undefined : timeToProto(o.until),
    filters: Object.fromEntries(Object.entries(o.filters ?? {}).map(([k, values]) => [k, { values: [...values] }])),
  };
}

export function subscribeFromProto(r: SubscribeRequest): SubscribeOptions {
  return {
    since: r.since && timeFromProto(r.since),
    until: r.until && timeFromProto(r.until),
    filters: Object.fromEntries(Object.entries(r.filters).map(([k, v]) => [k, v.values])),
  };
}
