/**
 * The events contract: components publish what happens to the objects they own; the engine
 * API subscribes for `GET /events`. Implemented locally over an `EventLog` (`LocalEvents`)
 * and over gRPC (`components/events/client.ts`); both pass `events-conformance.ts`.
 */
import type { EventFilters } from './event-filter.js';
import type { EventDraft, EventMessage } from './event-message.js';

export interface SubscribeOptions {
  /**
   * Replay stored events stamped at or after this time (ns since the epoch). Stored events
   * are replayed only when `since` or `until` is given, as moby does.
   */
  since?: bigint;
  /** Replay and stream events stamped up to this time; the subscription ends once it has passed. */
  until?: bigint;
  /** Docker's event filters (see `matchEvent`). */
  filters?: EventFilters;
}

/**
 * The events of one subscription, in stamp order: the matching stored ones first, then the
 * live ones. Iterate it once. The iteration ends after `until` has passed or after `close()`.
 */
export interface EventSubscription extends AsyncIterable<EventMessage> {
  /**
   * Resolves once live events are being captured: an event published after that is delivered
   * (when it matches). Rejects when the subscription is refused (the iteration then throws too).
   */
  readonly ready: Promise<void>;
  /** Ends the subscription; the iteration returns at its next step. Idempotent. */
  close(): void;
}

export interface EventsSubscriber {
  /** Throws (or, remotely, rejects `ready`) `invalid-argument` when `until` is before `since`. */
  subscribe(options?: SubscribeOptions): EventSubscription;
}

export interface Events extends EventsSubscriber {
  /** Stamps and stores `draft`, delivers it to live subscribers, and returns it as stored. */
  publish(draft: EventDraft): Promise<EventMessage>;
}
