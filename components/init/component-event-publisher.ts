/**
 * Component events: init tells `docker events` what happens to the engine's own parts. Every
 * change of a component's record in the registry (kept by init and the health checker) that
 * matters to an operator becomes one event, published through an `EventPublisher`, so it
 * reaches the `events` service wherever it runs (inside init, or a process of its own that
 * may be down: the publisher buffers) and never blocks or breaks supervision.
 *
 * Docker has no type for these: they use `Type: "daemon"` (Docker's type for engine-level
 * events), scope `local`, `Actor.ID` = the component's name (so `--filter daemon=images`
 * selects one component), and these actions:
 *
 * | action | when | `reason` |
 * |---|---|---|
 * | `component-start` | it is running and SERVING: first start, or back after a restart | — |
 * | `component-die` | its process exited while running (crash, `kill -9`, killed for failing health checks) | how it ended |
 * | `component-restart` | init starts it again after a death (after the back-off) | why it died |
 * | `component-failed` | init gave up: it died too often, or never served | why |
 * | `component-health: unhealthy` | the health checker found it not serving while it runs | the probe's answer |
 * | `component-health: healthy` | the health checker found it serving again, without a restart | — |
 * | `component-stop` | the engine stopped it (shutdown) | — |
 *
 * Attributes: `name` (the component), `services` (those it hosts, comma-separated), `pid`
 * (the process the event is about: the one that died for `component-die`; absent when there
 * is none) and `reason` (above, when there is one). `--filter event=component-health` matches
 * both health actions, as `health_status` does for containers.
 *
 * What the events service cannot hear is lost, by design: the stop of the component hosting
 * `events` and of those stopped after it, and events past the publisher's buffer.
 */
import type { EventDraft } from '../../core/events/event-message.js';
import type { Logger } from '../../lib/component/log.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { eventsServiceName } from '../events/client.js';
import { EventPublisher } from '../events/publisher.js';
import { Health, State, type Component, type RegistryState } from '../registry/registry-state.js';

export const componentEventType = 'daemon';

/** The events one change of a component's record stands for, oldest first (often none). */
export function componentEventDrafts(previous: Component, next: Component): EventDraft[] {
  const was = previous.state;
  const is = next.state;
  if (was !== is) {
    if (is === State.STATE_RUNNING) return [draft('component-start', next, next.pid)];
    if (is === State.STATE_STARTING) return was === State.STATE_RESTARTING ? [draft('component-restart', next, 0, next.lastReason)] : [];
    if (was !== State.STATE_RUNNING) return is === State.STATE_FAILED ? [draft('component-failed', next, 0, next.lastReason)] : [];
    if (is === State.STATE_RESTARTING) return [draft('component-die', next, previous.pid, next.lastReason)];
    if (is === State.STATE_FAILED) return [draft('component-die', next, previous.pid, next.lastReason), draft('component-failed', next, 0, next.lastReason)];
    if (is === State.STATE_STOPPED) return [draft('component-stop', next, previous.pid)];
    return [];
  }
  if (is !== State.STATE_RUNNING || previous.health === next.health) return [];
  if (next.health === Health.HEALTH_NOT_SERVING) return [draft('component-health: unhealthy', next, next.pid, next.lastReason)];
  if (next.health === Health.HEALTH_SERVING && previous.health === Health.HEALTH_NOT_SERVING) return [draft('component-health: healthy', next, next.pid)];
  return [];
}

function draft(action: string, c: Component, pid: number, reason = ''): EventDraft {
  const attributes: Record<string, string> = { name: c.name, services: c.services.join(',') };
  if (pid > 0) attributes.pid = String(pid);
  if (reason !== '') attributes.reason = reason;
  return { type: componentEventType, action, actor: { id: c.name, attributes }, scope: 'local' };
}

/** What `ComponentEventPublisher` needs of an `EventPublisher`. */
export type ComponentEventSink = Pick<EventPublisher, 'publish' | 'flush' | 'retryNow' | 'close'>;

export interface ComponentEventPublisherOptions {
  registry: RegistryState;
  log: Logger;
  /** Default: an `EventPublisher` that finds `events` in `registry`, once its host runs. */
  sink?: ComponentEventSink;
}

/** Publishes the component events of every change `registry` records, from construction to `close`. */
export class ComponentEventPublisher {
  readonly #sink: ComponentEventSink;
  readonly #unsubscribe: () => void;
  readonly #log: Logger;
  /** Whether the component hosting `events` has run yet: before, it is not down but not up yet. */
  #eventsRan = false;

  constructor(o: ComponentEventPublisherOptions) {
    this.#log = o.log;
    const log = { warn: (msg: string, fields?: Record<string, unknown>) => (this.#eventsRan ? o.log.warn(msg, fields) : o.log.debug(msg, fields)) };
    this.#sink = o.sink ?? new EventPublisher({ registry: { resolve: async (service) => runningHost(o.registry, service) }, log });
    this.#unsubscribe = o.registry.subscribe((next, previous) => this.#onChange(next, previous));
  }

  /** Waits until what was published is delivered, for at most `timeoutMs`; never rejects. */
  async flush(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.#sink.flush().catch(() => undefined), deadline]);
    clearTimeout(timer);
  }

  /** Stops listening and delivering; what is still buffered is dropped. Idempotent. */
  close(): void {
    this.#unsubscribe();
    this.#sink.close();
  }

  #onChange(next: Component, previous: Component): void {
    try {
      for (const d of componentEventDrafts(previous, next)) this.#sink.publish(d);
      // The events service is up (again): deliver what waited for it now, not after the back-off.
      if (next.state === State.STATE_RUNNING && previous.state !== State.STATE_RUNNING && next.services.includes(eventsServiceName)) {
        this.#eventsRan = true;
        this.#sink.retryNow();
      }
    } catch (err) {
      this.#log.error('component event not published', { target: next.name, err });
    }
  }
}

/** The component hosting `service`, if it runs: delivery to one starting or down is not tried. */
function runningHost(registry: RegistryState, service: string): Component {
  const host = registry.resolve(service);
  if (host.state !== State.STATE_RUNNING) throw errorOf('unavailable', `service ${service}: component ${host.name} is not running`);
  return host;
}
