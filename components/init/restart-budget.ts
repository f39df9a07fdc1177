/**
 * When to start a component again after it died: exponential backoff from `initialMs` up to
 * `maxMs`, and FAILED once it died more than `limit` times within `windowMs`.
 */
export interface RestartPolicy {
  initialMs: number;
  maxMs: number;
  limit: number;
  windowMs: number;
}

export const defaultRestartPolicy: RestartPolicy = { initialMs: 100, maxMs: 2000, limit: 5, windowMs: 60_000 };

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; reason: string };

export class RestartBudget {
  readonly #deaths: number[] = [];

  constructor(
    private readonly policy: RestartPolicy = defaultRestartPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a death and says whether, and after how long, to start again. */
  onDeath(): RestartDecision {
    const t = this.now();
    this.#deaths.push(t);
    while (this.#deaths.length > 0 && this.#deaths[0]! <= t - this.policy.windowMs) this.#deaths.shift();
    const recent = this.#deaths.length;
    if (recent > this.policy.limit) {
      return { restart: false, reason: `died ${recent} times within ${this.policy.windowMs / 1000}s` };
    }
    const delayMs = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** (recent - 1));
    return { restart: true, delayMs };
  }
}
