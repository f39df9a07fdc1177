import type { FileHandle } from 'node:fs/promises';
import { errorOf } from '../../lib/errdefs/index.js';
import type { CommitOptions, ContentWriter, IngestStatus } from './content-store.js';
import { parseDigest, type Digest, type Digester } from './digest.js';
import type { IngestDir, IngestMeta } from './ingest-dir.js';
import { validateLabelChanges } from './label-store.js';

/** What a writer needs from its store: how to publish a verified file, and how to let go of the ref. */
export interface WriterHost {
  /** Makes the synced data file visible as `digest`; returns false when the blob already existed. */
  publish(dataPath: string, digest: Digest): Promise<boolean>;
  setLabels(digest: Digest, labels: Record<string, string>): Promise<void>;
  release(ref: string): void;
}

export class LocalContentWriter implements ContentWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failure: unknown;

  constructor(
    private readonly dir: IngestDir,
    private readonly meta: IngestMeta,
    private readonly file: FileHandle,
    private readonly digester: Digester,
    private offset: number,
    private readonly host: WriterHost,
  ) {}

  get ref(): string {
    return this.dir.ref;
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.enqueue(() => this.append(chunk));
  }

  status(): Promise<IngestStatus> {
    return this.enqueue(() => this.dir.status());
  }

  digest(): Promise<Digest> {
    return this.enqueue(async () => this.digester.digest());
  }

  async commit(expectedSize?: number, expectedDigest?: string, options?: CommitOptions): Promise<Digest> {
    if (expectedSize !== undefined && !(Number.isSafeInteger(expectedSize) && expectedSize >= 0)) {
      throw errorOf('invalid-argument', `ingest ${this.ref}: invalid commit size ${expectedSize}`);
    }
    const wanted = expectedDigest === undefined ? undefined : parseDigest(expectedDigest);
    validateLabelChanges(options?.labels ?? {});
    return this.enqueue(() => this.verifyAndPublish(expectedSize, wanted, options));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.closed) return;
    await this.closeFile();
    this.host.release(this.ref);
  }

  /** Runs steps in call order, so un-awaited writes still land in sequence. */
  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.assertUsable();
      return step();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private assertUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw errorOf('failed-precondition', `ingest ${this.ref}: writer is closed`);
  }

  private async append(chunk: Uint8Array): Promise<void> {
    const total = this.meta.total;
    if (total !== undefined && this.offset + chunk.length > total) {
      await this.discard();
      throw errorOf(
        'failed-precondition',
        `ingest ${this.ref}: ${this.offset + chunk.length} bytes written exceeds the expected size ${total}`,
      );
    }
    try {
      for (let done = 0; done < chunk.length; ) {
        done += (await this.file.write(chunk, done, chunk.length - done, null)).bytesWritten;
      }
    } catch (err) {
      // The file may now hold bytes the digester has not seen; a resumed writer re-hashes from disk.
      this.failure = err;
      throw err;
    }
    this.digester.update(chunk);
    this.offset += chunk.length;
  }

  private async verifyAndPublish(size: number | undefined, wanted: Digest | undefined, options?: CommitOptions) {
    const actual = this.digester.digest();
    for (const expected of [this.meta.total, size]) {
      if (expected !== undefined && expected !== this.offset) {
        await this.discard();
        throw errorOf('failed-precondition', `ingest ${this.ref}: unexpected commit size ${this.offset}, expected ${expected}`);
      }
    }
    for (const expected of [this.meta.expected, wanted]) {
      if (expected !== undefined && expected !== actual) {
        await this.discard();
        throw errorOf('failed-precondition', `ingest ${this.ref}: unexpected commit digest ${actual}, expected ${expected}`);
      }
    }
    // The blob's mtime is its createdAt: make it the commit, not the last write of a resumed pull.
    const committedAt = new Date();
    await this.file.utimes(committedAt, committedAt);
    await this.file.sync();
    let created: boolean;
    try {
      await this.closeFile();
      created = await this.host.publish(this.dir.dataPath, actual);
      await this.dir.remove();
    } finally {
      this.host.release(this.ref);
    }
    if (options?.labels && Object.keys(options.labels).length > 0) await this.host.setLabels(actual, options.labels);
    if (!created) throw errorOf('already-exists', `content ${actual}: already exists`);
    return actual;
  }

  /** Verification failed: nothing of this ingest may remain. */
  private async discard(): Promise<void> {
    try {
      await this.closeFile();
      await this.dir.remove();
    } finally {
      this.host.release(this.ref);
    }
  }

  private async closeFile(): Promise<void> {
    this.closed = true;
    await this.file.close().catch(() => undefined);
  }
}
