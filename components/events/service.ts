/**
 * gRPC adapter of the events service over `Events` (a `LocalEvents` in the component).
 */
import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import { EventsService, type Event, type EventsServer, type SubscribeRequest } from '../../api/moby/events/v1/events.js';
import type { Events } from '../../core/events/events.js';
import type { GrpcBinding } from '../../lib/component/service.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { toGrpcError } from '../../lib/errdefs/grpc.js';
import * as cv from './convert.js';

export function eventsBinding(events: Events): GrpcBinding {
  const implementation: EventsServer = {
    publish: (call, cb) => {
      Promise.resolve(call.request)
        .then((req) => events.publish(cv.draftFromProto(req)))
        .then(
          (event) => cb(null, cv.eventToProto(event)),
          (err) => cb(toGrpcError(err)),
        );
    },
    subscribe: (call) => void serveSubscribe(events, call),
  };
  return { definition: EventsService, implementation };
}

type SubscribeCall = ServerWritableStream<SubscribeRequest, Event>;

/** Headers once subscribed (the client's `ready`), then each event at the client's pace. */
async function serveSubscribe(events: Events, call: SubscribeCall): Promise<void> {
  try {
    const sub = events.subscribe(cv.subscribeFromProto(call.request));
    call.on('cancelled', () => sub.close());
    await sub.ready;
    call.sendMetadata(new Metadata());
    for await (const event of sub) await send(call, cv.eventToProto(event));
    if (!call.cancelled) call.end();
  } catch (err) {
    if (!call.cancelled && !call.destroyed) call.emit('error', toGrpcError(err));
  }
}

/** Writes one message and resolves once the transport takes more; rejects when the client left. */
function send(call: SubscribeCall, message: Event): Promise<void> {
  if (call.cancelled || call.destroyed) return Promise.reject(errorOf('cancelled', 'subscriber left'));
  if (call.write(message)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      call.off('drain', onDrain);
      call.off('cancelled', onGone);
      call.off('close', onGone);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onGone = () => settle(errorOf('cancelled', 'subscriber left'));
    call.on('drain', onDrain);
    call.on('cancelled', onGone);
    call.on('close', onGone);
  });
}
