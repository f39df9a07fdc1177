/**
 * Docker's event message (moby `events.Message`) as Moby Core keeps it. Times are nanoseconds
 * since the Unix epoch as `bigint`: Docker's `timeNano` (~1.7e18) is past what a `number`
 * holds exactly.
 */

/** The object types Docker reports events for (`Type`). */
export const eventTypes = ['builder', 'config', 'container', 'daemon', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'volume'] as const;

/** What generated the event (`Actor`): its ID and attributes such as `name`, `image`, labels. */
export interface EventActor {
  id: string;
  attributes: Record<string, string>;
}

/** An event as a component publishes it; the log stamps its time. */
export interface EventDraft {
  /** `container`, `image`, `network`… (see `eventTypes`). */
  type: string;
  /** `create`, `start`, `die`, `exec_start: sh -c …`… */
  action: string;
  actor: EventActor;
  /** `local` (the default) or `swarm`. */
  scope?: string;
}

/** An event as stored and delivered. */
export interface EventMessage {
  type: string;
  action: string;
  actor: EventActor;
  scope: string;
  /** Whole seconds since the epoch (Docker's `time`). */
  time: number;
  /** Nanoseconds since the epoch (Docker's `timeNano`); strictly increasing within one log. */
  timeNano: bigint;
}

export const nanosPerSecond = 1_000_000_000n;

/** The event of `draft` stamped at `timeNano`. */
export function stamp(draft: EventDraft, timeNano: bigint): EventMessage {
  return {
    type: draft.type,
    action: draft.action,
    actor: { id: draft.actor.id, attributes: { ...draft.actor.attributes } },
    scope: draft.scope || 'local',
    time: Number(timeNano / nanosPerSecond),
    timeNano,
  };
}
