import { setTimeout as delay } from 'node:timers/promises';
import { errorOf, isKind, MobyError } from '../../lib/errdefs/index.js';
import type { ContentStore, ContentWriter, Labels } from '../content/index.js';
import type { RegistryClient } from './registry-client.js';

export interface FetchBlobOptions {
  client: RegistryClient;
  repo: string;
  content: ContentStore;
  digest: string;
  size: number;
  /** The ingest ref: stable per digest, so an interrupted fetch resumes where it stopped. */
  ref: string;
  /** Set on the blob as it is committed (also when it already existed). */
  labels?: Labels;
  /** Told where the download starts (the bytes already in the ingest). */
  onStart?: (offset: number) => void;
  /** Told of every chunk stored. */
  onData?: (bytes: number) => void;
  /** Further attempts after a transfer fails midway (`unavailable`); each resumes. Default 0. */
  retries?: number;
  /** Pause before attempt n is n times this; default 1000 ms. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Downloads one blob into the content store through the ingest `ref`:
 * resumes from the ingest's offset with a `Range` request (a registry that
 * ignores the range has the known prefix skipped), verifies size and digest
 * as the bytes stream through the writer, and commits. Returns false when the
 * blob was already present (nothing fetched).
 *
 * A blob whose bytes do not match its digest or size is `data-loss`, and its
 * ingest is removed: nothing of it is stored. A transfer that fails midway
 * (`unavailable`) keeps the ingest, so a later call fetches only the rest.
 * Another writer on the same ref (a concurrent pull of the same blob) is
 * waited for.
 */
export async function fetchBlob(o: FetchBlobOptions): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const writer = await openWriter(o);
    if (writer === undefined) {
      if (o.labels) await o.content.updateLabels(o.digest, o.labels);
      return false;
    }
    try {
      await download(o, writer);
      await commit(o, writer);
      return true;
    } catch (err) {
      await writer.close().catch(() => undefined);
      if (!isKind(err, 'unavailable') || attempt >= (o.retries ?? 0)) throw err;
    }
    await delay((attempt + 1) * (o.retryDelayMs ?? 1000), undefined, { signal: o.signal });
  }
}

/** A writer on the ref, or undefined when the blob is (or becomes) present. */
async function openWriter(o: FetchBlobOptions): Promise<ContentWriter | undefined> {
  for (let wait = 25; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await o.content.writer(o.ref, { expected: o.digest, size: o.size });
    } catch (err) {
      if (isKind(err, 'already-exists')) return undefined;
      if (!isKind(err, 'unavailable')) throw err;
    }
    await delay(wait, undefined, { signal: o.signal });
  }
}

async function download(o: FetchBlobOptions, writer: ContentWriter): Promise<void> {
  const offset = (await writer.status()).offset;
  if (offset > o.size) throw await discard(o, writer, `ingest holds ${offset} bytes, more than the blob's ${o.size}`);
  o.onStart?.(offset);
  if (offset === o.size) return;
  const { body, start } = await o.client.getBlob(o.repo, o.digest, offset, o.signal);
  const sink = new BatchWriter(writer, o.onData);
  let skip = offset - start;
  let received = offset;
  try {
    for await (const data of body as AsyncIterable<Buffer>) {
      const chunk = skip > 0 ? data.subarray(Math.min(skip, data.length)) : data;
      skip -= data.length - chunk.length;
      if (received + chunk.length > o.size) {
        body.destroy();
        await sink.drain();
        throw await discard(o, writer, `registry sent more than the blob's ${o.size} bytes`);
      }
      received += chunk.length;
      await sink.add(chunk);
    }
    await sink.flush();
  } catch (err) {
    await sink.flush().catch(() => undefined); // what arrived stays in the ingest for the next attempt
    if (err instanceof MobyError) throw err;
    const cancelled = o.signal?.aborted === true;
    throw errorOf(cancelled ? 'cancelled' : 'unavailable', `fetch blob ${o.digest} from ${o.client.registry}/${o.repo}: ${(err as Error).message}`, err);
  }
}

/** Network chunks are small; the store is written in batches of about 1 MiB, one write in flight while the next fills. */
class BatchWriter {
  private pending: Buffer[] = [];
  private bytes = 0;
  private inflight: Promise<void> = Promise.resolve();

  constructor(private readonly writer: ContentWriter, private readonly onData?: (bytes: number) => void) {}

  async add(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= 1024 * 1024) await this.write();
  }

  async flush(): Promise<void> {
    if (this.bytes > 0) await this.write();
    await this.inflight;
  }

  /** Waits for the write in flight and drops what is pending. */
  async drain(): Promise<void> {
    this.pending = [];
    this.bytes = 0;
    await this.inflight.catch(() => undefined);
  }

  private async write(): Promise<void> {
    const batch = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.bytes = 0;
    await this.inflight;
    this.inflight = this.writer.write(batch).then(() => this.onData?.(batch.length));
    this.inflight.catch(() => undefined);
  }
}

async function commit(o: FetchBlobOptions, writer: ContentWriter): Promise<void> {
  const { offset } = await writer.status();
  const digest = await writer.digest();
  if (offset !== o.size) throw await discard(o, writer, `got ${offset} bytes, expected ${o.size}`);
  if (digest !== o.digest) throw await discard(o, writer, `content has digest ${digest}`);
  try {
    await writer.commit(o.size, o.digest, { labels: o.labels });
  } catch (err) {
    if (!isKind(err, 'already-exists')) throw err;
  }
}

/** Verification failed: the ingest goes, and the error says which blob. */
async function discard(o: FetchBlobOptions, writer: ContentWriter, why: string) {
  await writer.close().catch(() => undefined);
  await o.content.abort(o.ref).catch(() => undefined);
  return errorOf('data-loss', `failed to verify blob ${o.digest} from ${o.client.registry}/${o.repo}: ${why}`);
}
