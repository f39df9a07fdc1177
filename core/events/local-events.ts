/**
 * `Events` over an `EventLog` in this process: what the events component serves.
 */
import { errorOf } from '../../lib/errdefs/index.js';
import { AsyncQueue } from './async-queue.js';
import { matchEvent, type EventFilters } from './event-filter.js';
import type { EventLog } from './event-log.js';
import type { EventDraft, EventMessage } from './event-message.js';
import { formatEventTime } from './event-time.js';
import type { Events, EventSubscription, SubscribeOptions } from './events.js';

export interface LocalEventsOptions {
  /** Live events a subscriber may leave unread before its subscription fails. Default 4096. */
  maxPending?: number;
}

export class LocalEvents implements Events {
  readonly #maxPending: number;

  constructor(
    readonly log: EventLog,
    options: LocalEventsOptions = {},
  ) {
    this.#maxPending = options.maxPending ?? 4096;
  }

  async publish(draft: EventDraft): Promise<EventMessage> {
    return this.log.append(draft);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return new LocalSubscription(this.log, options, this.#maxPending);
  }
}

/** Throws moby's refusal when the window is empty. */
export function checkWindow(since: bigint | undefined, until: bigint | undefined): void {
  if (since !== undefined && until !== undefined && until < since) {
    throw errorOf('invalid-argument', `\`since\` time (${formatEventTime(since)}) cannot be after \`until\` time (${formatEventTime(until)})`);
  }
}

class LocalSubscription implements EventSubscription {
  readonly ready = Promise.resolve();
  readonly #filters: EventFilters;
  readonly #live: AsyncQueue<EventMessage>;
  readonly #stored: AsyncIterable<EventMessage> | undefined;
  readonly #release: () => void;
  #cancelled = false;

  constructor(log: EventLog, { since, until, filters = {} }: SubscribeOptions, maxPending: number) {
    checkWindow(since, until);
    this.#filters = filters;
    this.#live = new AsyncQueue(maxPending, () => errorOf('unavailable', `events subscriber fell ${maxPending} events behind`));
    const unsubscribe = log.subscribe((event) => {
      if (until !== undefined && event.timeNano > until) this.#end();
      else if ((since === undefined || event.timeNano >= since) && matchEvent(event, filters)) this.#live.push(event);
    });
    // Taken in the same turn as the subscription: replay and live neither overlap nor leave a gap.
    this.#stored = since !== undefined || until !== undefined ? log.replay({ since, until }) : undefined;
    let cancelTimer: () => void = () => undefined;
    this.#release = () => {
      unsubscribe();
      cancelTimer();
    };
    if (until !== undefined) cancelTimer = log.clock.at(until + 1n, () => this.#end());
  }

  close(): void {
    this.#cancelled = true;
    this.#end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EventMessage> {
    try {
      for await (const event of this.#stored ?? []) {
        if (this.#cancelled) return;
        if (matchEvent(event, this.#filters)) yield event;
      }
      for await (const event of this.#live) {
        if (this.#cancelled) return;
        yield event;
      }
    } finally {
      this.close();
    }
  }

  /** No more live events; those already queued are still delivered. */
  #end(): void {
    this.#live.end();
    this.#release();
  }
}
