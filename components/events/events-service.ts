/**
 * events: the engine's event log at `<data-root>/events`, served over gRPC. One process owns
 * that directory, through one `EventLog`.
 *
 * Setting (environment, for operators and tests): MOBY_EVENTS_MAX_BYTES, the log's size cap
 * on disk (default 4 MiB; the oldest segments are dropped past it).
 */
import { join } from 'node:path';
import type { Clock } from '../../core/events/clock.js';
import { EventLog } from '../../core/events/event-log.js';
import { LocalEvents } from '../../core/events/local-events.js';
import type { ServiceFactory } from '../../lib/component/service.js';
import { eventsBinding } from './service.js';

export interface EventsServiceOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: MOBY_EVENTS_MAX_BYTES, else the log's default. */
  maxBytes?: number;
}

export function createEventsService(options: EventsServiceOptions = {}): ServiceFactory {
  return async (ctx) => {
    const fromEnv = Number(process.env.MOBY_EVENTS_MAX_BYTES);
    const log = await EventLog.open(join(ctx.roots.dataRoot, 'events'), {
      clock: options.clock,
      maxBytes: options.maxBytes ?? (Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined),
      onError: (err) => ctx.log.error('events log write failed', { err }),
    });
    return {
      grpc: [eventsBinding(new LocalEvents(log))],
      close: () => log.close(),
    };
  };
}

export const eventsService: ServiceFactory = createEventsService();
