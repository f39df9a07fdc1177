/** The events domain: the log, filters, times, and the `Events` contract. */
export { systemClock, type Clock } from './clock.js';
export { eventFilterNames, matchEvent, type EventFilters } from './event-filter.js';
export { defaultMaxBytes, EventLog, type EventListener, type EventLogOptions, type TimeWindow } from './event-log.js';
export { eventTypes, nanosPerSecond, stamp, type EventActor, type EventDraft, type EventMessage } from './event-message.js';
export { formatEventTime, parseEventTime } from './event-time.js';
export type { Events, EventsSubscriber, EventSubscription, SubscribeOptions } from './events.js';
export { checkWindow, LocalEvents, type LocalEventsOptions } from './local-events.js';
