/**
 * `EventPublisher`: how every component publishes its events. `publish` never throws and
 * never waits: events go into a small bounded buffer (past it, the oldest are dropped and
 * counted) and one loop delivers them in order to the component hosting `events`, found
 * through the registry. When that component is down or restarting, the loop backs off,
 * resolves it again, and carries on where it stopped.
 *
 * Events are stamped by the events service when they arrive, so an event buffered through an
 * outage carries the time it was delivered. Delivery is at least once: an event whose reply
 * was lost with the connection is sent again.
 *
 * Who publishes what: init publishes the engine's own component events (`Type: "daemon"`,
 * `component-start`, `component-die`…; the vocabulary is in
 * `components/init/component-event-publisher.ts`).
 */
import type { EventDraft } from '../../core/events/event-message.js';
import type { Logger } from '../../lib/component/log.js';
import { isKind } from '../../lib/errdefs/index.js';
import { EventsClient, eventsServiceName } from './client.js';

export interface EventPublisherOptions {
  /** Where `events` is found: the component registry (`ctx.registry`). */
  registry: { resolve(service: string): Promise<{ socket: string }> };
  /** Events kept while they cannot be delivered; default 256. */
  bufferSize?: number;
  /** The pause after a failed delivery, doubling from `min` up to `max`; default 100 ms to 2 s. */
  retryDelayMs?: { min: number; max: number };
  /** Per-call deadline; default 2 s. */
  callTimeoutMs?: number;
  /** Told once per outage, and about events dropped; default silent. */
  log?: Pick<Logger, 'warn'>;
}

export class EventPublisher {
  readonly #registry: EventPublisherOptions['registry'];
  readonly #bufferSize: number;
  readonly #retry: { min: number; max: number };
  readonly #callTimeoutMs: number;
  readonly #log: Pick<Logger, 'warn'> | undefined;
  readonly #queue: EventDraft[] = [];
  readonly #idle: (() => void)[] = [];
  #client: EventsClient | undefined;
  #running = false;
  #closed = false;
  #failing = false;
  #dropped = 0;
  #droppedReported = 0;
  #wake: (() => void) | undefined;

  constructor(options: EventPublisherOptions) {
    this.#registry = options.registry;
    this.#bufferSize = Math.max(1, options.bufferSize ?? 256);
    this.#retry = options.retryDelayMs ?? { min: 100, max: 2000 };
    this.#callTimeoutMs = options.callTimeoutMs ?? 2000;
    this.#log = options.log;
  }

  /** Queues `draft` for delivery; returns at once. After `close`, does nothing. */
  publish(draft: EventDraft): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#bufferSize) {
      this.#queue.shift();
      if (this.#dropped++ === this.#droppedReported) this.#log?.warn('events buffer full; dropping the oldest events', { bufferSize: this.#bufferSize });
    }
    this.#queue.push(draft);
    if (!this.#running) void this.#run();
  }

  /** Events dropped so far because the buffer was full (or the service refused them). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Events waiting for delivery. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves once nothing is waiting (delivered or dropped), or on close. */
  flush(): Promise<void> {
    if (!this.#running || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Ends the current back-off pause, so the next delivery is tried at once: for a caller that
   * knows the events service is back (init, when the registry records its host SERVING).
   */
  retryNow(): void {
    this.#wake?.();
  }

  /** Stops delivering; what is still buffered is discarded. */
  /** Waits (at most `maxMs`) for the events published so far to be delivered, then closes. */
  async flushAndClose(maxMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
    await Promise.race([this.flush(), timeout]);
    clearTimeout(timer);
    this.close();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
    for (const resolve of this.#idle.splice(0)) resolve();
    this.#client?.close();
    this.#client = undefined;
  }

  async #run(): Promise<void> {
    this.#running = true;
    let delay = this.#retry.min;
    while (this.#queue.length > 0 && !this.#closed) {
      const next = this.#queue[0]!;
      try {
        this.#client ??= await EventsClient.dial(this.#registry);
        await this.#client.publish(next, { timeoutMs: this.#callTimeoutMs });
        this.#delivered(next);
        delay = this.#retry.min;
      } catch (err) {
        if (isKind(err, 'invalid-argument')) {
          this.#log?.warn('event refused by the events service, dropped', { err, type: next.type, action: next.action });
          this.#dropped++;
          this.#delivered(next);
          continue;
        }
        if (!this.#failing) this.#log?.warn('events service unreachable; buffering events', { err, buffered: this.#queue.length });
        this.#failing = true;
        this.#client?.close();
        this.#client = undefined;
        await this.#pause(delay);
        delay = Math.min(this.#retry.max, delay * 2);
      }
    }
    this.#running = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Takes `event` off the queue unless the buffer dropped it meanwhile. */
  #delivered(event: EventDraft): void {
    if (this.#queue[0] === event) this.#queue.shift();
    this.#failing = false;
    this.#droppedReported = this.#dropped;
  }

  #pause(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
