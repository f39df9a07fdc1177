/** Test support (not a test): a `Clock` that moves only when told, firing timers that fall due. */
import type { Clock } from './clock.js';

export class FakeClock implements Clock {
  #now: bigint;
  readonly #timers = new Set<{ at: bigint; fn: () => void }>();

  constructor(start = 1_700_000_000_000_000_000n) {
    this.#now = start;
  }

  now(): bigint {
    return this.#now;
  }

  at(timeNano: bigint, fn: () => void): () => void {
    const timer = { at: timeNano, fn };
    if (timeNano <= this.#now) {
      fn();
      return () => undefined;
    }
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Moves the clock to `timeNano` (never backwards) and fires every timer due by then. */
  set(timeNano: bigint): void {
    if (timeNano > this.#now) this.#now = timeNano;
    for (const timer of [...this.#timers].sort((a, b) => (a.at < b.at ? -1 : 1))) {
      if (timer.at > this.#now) break;
      this.#timers.delete(timer);
      timer.fn();
    }
  }

  advance(nanos: bigint): void {
    this.set(this.#now + nanos);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }
}
