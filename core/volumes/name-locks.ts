/** One operation at a time per volume name, in call order (Docker's `locker.Locker`). */
export class NameLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  async with<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#tails.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    }
  }
}
