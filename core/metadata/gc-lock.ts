/**
 * Orders garbage collection against work that adopts existing resources.
 *
 * Collection decides what is unreferenced in one transaction and deletes it
 * afterwards, asynchronously. Work that finds an existing blob or snapshot
 * and then refers to it (a pull that skips a layer it already has, an unpack
 * onto an existing parent) must not interleave with that: it holds the lock
 * `shared` from the moment it records its lease until its existence checks
 * are done; collection holds it `exclusive`. Waiting exclusive holders go
 * before later shared ones, so a steady stream of pulls cannot starve GC.
 */
export class GcLock {
  private readers = 0;
  private writer = false;
  private readonly waiting: { exclusive: boolean; grant: () => void }[] = [];

  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.run(false, work);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  private async run<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    await this.acquire(exclusive);
    try {
      return await work();
    } finally {
      if (exclusive) this.writer = false;
      else this.readers--;
      this.grantWaiting();
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.waiting.length === 0 && this.canGrant(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ exclusive, grant: resolve }));
  }

  private canGrant(exclusive: boolean): boolean {
    return exclusive ? !this.writer && this.readers === 0 : !this.writer;
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.writer = true;
    else this.readers++;
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.canGrant(this.waiting[0]!.exclusive)) {
      const next = this.waiting.shift()!;
      this.take(next.exclusive);
      next.grant();
    }
  }
}
