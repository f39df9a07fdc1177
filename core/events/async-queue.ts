/**
 * A bounded queue read as an async iterable: producers `push` without waiting, one consumer
 * iterates. Past `limit` unread items the queue ends with `overflow()`'s error rather than
 * grow without bound (a reader that stopped reading must not hold the engine's memory).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #waiter: ((result: IteratorResult<T>) => void) | undefined;
  #failer: ((err: unknown) => void) | undefined;
  #ended = false;
  #error: unknown;

  constructor(
    readonly limit: number,
    private readonly overflow: () => Error,
  ) {}

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): void {
    if (this.#ended) return;
    if (this.#waiter) return this.#settle({ value: item, done: false });
    if (this.#items.length >= this.limit) return this.end(this.overflow());
    this.#items.push(item);
  }

  /** Ends the queue: items already queued are still read, then the error (if any) is thrown. */
  end(err?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = err;
    if (this.#waiter && this.#items.length === 0) {
      if (err === undefined) this.#settle({ value: undefined, done: true });
      else this.#fail(err);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#items.length > 0) {
        yield this.#items.shift()!;
        continue;
      }
      if (this.#ended) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        this.#waiter = resolve;
        this.#failer = reject;
      });
      if (next.done) return;
      yield next.value;
    }
  }

  #settle(result: IteratorResult<T>): void {
    const waiter = this.#waiter!;
    this.#waiter = this.#failer = undefined;
    waiter(result);
  }

  #fail(err: unknown): void {
    const failer = this.#failer!;
    this.#waiter = this.#failer = undefined;
    failer(err);
  }
}
