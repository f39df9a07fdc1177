/**
 * Time for the events log: the wall clock in nanoseconds, and timers at a point of that clock.
 * Injected everywhere time matters, so tests drive it (`FakeClock`).
 */

export interface Clock {
  /** Nanoseconds since the Unix epoch. */
  now(): bigint;
  /** Calls `fn` once, when `now()` has reached `timeNano`; returns a function that cancels it. */
  at(timeNano: bigint, fn: () => void): () => void;
}

const nanosPerMs = 1_000_000n;
const maxDelayMs = 2 ** 31 - 1; // setTimeout's limit

/**
 * The system clock with nanosecond digits: a monotonic high-resolution clock anchored to
 * `Date.now()`, re-anchored when the two drift apart by more than 2 ms (the wall clock was set).
 */
export function systemClock(): Clock {
  let anchor = BigInt(Date.now()) * nanosPerMs - process.hrtime.bigint();
  const now = (): bigint => {
    const wall = BigInt(Date.now()) * nanosPerMs;
    const t = anchor + process.hrtime.bigint();
    const drift = t > wall ? t - wall : wall - t;
    if (drift <= 2n * nanosPerMs) return t;
    anchor = wall - process.hrtime.bigint();
    return wall;
  };
  const at = (timeNano: bigint, fn: () => void): (() => void) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const left = timeNano - now();
      if (left <= 0n) return fn();
      const ms = Number((left + nanosPerMs - 1n) / nanosPerMs);
      timer = setTimeout(arm, Math.min(ms, maxDelayMs));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  };
  return { now, at };
}
