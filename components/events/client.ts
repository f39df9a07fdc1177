/**
 * `Events` over gRPC, for other components and the engine API. Errors come back as the
 * `MobyError`s the server threw.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import { EventsClient as GeneratedClient, type Event } from '../../api/moby/events/v1/events.js';
import type { EventDraft, EventMessage } from '../../core/events/event-message.js';
import type { Events, EventSubscription, SubscribeOptions } from '../../core/events/events.js';
import { connect, unary, type CallOptions } from '../../lib/component/grpc-call.js';
import { fromGrpcError } from '../../lib/errdefs/grpc.js';
import * as cv from './convert.js';

/** The service name in the manifest and the registry. */
export const eventsServiceName = 'events';

export class EventsClient implements Events {
  readonly #client: GeneratedClient;

  constructor(readonly socket: string) {
    this.#client = connect(GeneratedClient, socket);
  }

  /** A client of the component hosting `events`, found through the registry. */
  static async dial(registry: { resolve(service: string): Promise<{ socket: string }> }): Promise<EventsClient> {
    return new EventsClient((await registry.resolve(eventsServiceName)).socket);
  }

  async publish(draft: EventDraft, opts: CallOptions = {}): Promise<EventMessage> {
    return cv.eventFromProto(await unary(this.#client.publish.bind(this.#client), cv.draftToProto(draft), opts));
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return new GrpcSubscription(this.#client.subscribe(cv.subscribeToProto(options)));
  }

  close(): void {
    this.#client.close();
  }
}

class GrpcSubscription implements EventSubscription {
  readonly ready: Promise<void>;
  readonly #call: ClientReadableStream<Event>;
  #closed = false;

  constructor(call: ClientReadableStream<Event>) {
    this.#call = call;
    this.ready = new Promise((resolve, reject) => {
      call.once('metadata', () => resolve());
      call.once('error', (err) => reject(fromGrpcError(err)));
    });
    this.ready.catch(() => undefined); // also thrown by the iteration; nobody has to await it
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#call.on('error', () => undefined); // the cancel below emits one
    this.#call.cancel();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EventMessage> {
    try {
      for await (const message of this.#call) yield cv.eventFromProto(message as Event);
    } catch (err) {
      if (this.#closed) return;
      throw fromGrpcError(err);
    } finally {
      this.close();
    }
  }
}
