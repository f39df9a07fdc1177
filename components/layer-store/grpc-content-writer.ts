/**
 * A `ContentWriter` over one Write stream (the exchange is documented on `WriteAction` in the
 * proto). Requests are sent in call order, each answered in order; a write resolves when the
 * server has written it. Large chunks go in 1 MiB messages, sent as the transport accepts them.
 */
import { once } from 'node:events';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import {
  WriteAction, WriteContentRequest, type LayerStoreClient, type WriteContentResponse,
} from '../../api/moby/layer_store/v1/layer_store.js';
import type { CommitOptions, ContentWriter, IngestStatus, WriterOptions } from '../../core/content/content-store.js';
import type { Digest } from '../../core/content/digest.js';
import { errorOf, type MobyError } from '../../lib/errdefs/index.js';
import { fromGrpcError } from '../../lib/errdefs/grpc.js';
import { pieces } from '../../lib/component/grpc-handlers.js';
import { ingestStatusFromProto } from './convert.js';

type WriteCall = ClientDuplexStream<WriteContentRequest, WriteContentResponse>;

interface Pending {
  resolve(res: WriteContentResponse): void;
  reject(err: Error): void;
}

export class GrpcContentWriter implements ContentWriter {
  readonly #call: WriteCall;
  readonly #pending: Pending[] = [];
  readonly #ended: Promise<void>;
  #queue: Promise<unknown> = Promise.resolve();
  /** Where the next write goes. */
  #offset = 0;
  /** No more requests: closed, committed, or the stream is over. */
  #closed = false;
  #failure: MobyError | undefined;

  private constructor(
    readonly ref: string,
    call: WriteCall,
  ) {
    this.#call = call;
    call.on('data', (res: WriteContentResponse) => this.#pending.shift()?.resolve(res));
    call.on('error', (err) => {
      this.#failure ??= fromGrpcError(err);
      this.#closed = true;
    });
    // 'end' comes after every answer received has been delivered, unlike 'status'.
    this.#ended = new Promise((resolve) =>
      call.on('end', () => {
        this.#closed = true;
        for (const p of this.#pending.splice(0)) p.reject(this.#failure ?? this.#closedError());
        resolve();
      }),
    );
  }

  /** Opens (or resumes) the ingest `ref`; rejects with the store's error, the stream then being over. */
  static async open(client: LayerStoreClient, ref: string, options: WriterOptions = {}): Promise<GrpcContentWriter> {
    const writer = new GrpcContentWriter(ref, client.write());
    const res = await writer.#request({ action: WriteAction.WRITE_ACTION_OPEN, ref, expected: options.expected, total: options.size });
    writer.#offset = res.status?.offset ?? 0;
    return writer;
  }

  write(chunk: Uint8Array): Promise<void> {
    const acks = this.#enqueue(async () => {
      const answered: Promise<unknown>[] = [];
      for (const data of pieces(chunk)) {
        const ack = this.#request({ action: WriteAction.WRITE_ACTION_WRITE, offset: this.#offset, data });
        ack.catch(() => undefined); // observed below, once every piece is sent
        answered.push(ack);
        this.#offset += data.length;
        await this.#writable();
      }
      return answered;
    });
    return acks.then((answered) => Promise.all(answered)).then(() => undefined);
  }

  status(): Promise<IngestStatus> {
    return this.#enqueue(async () => ingestStatusFromProto((await this.#request({ action: WriteAction.WRITE_ACTION_STATUS })).status));
  }

  digest(): Promise<Digest> {
    return this.#enqueue(async () => (await this.#request({ action: WriteAction.WRITE_ACTION_DIGEST })).digest as Digest);
  }

  commit(expectedSize?: number, expectedDigest?: string, options?: CommitOptions): Promise<Digest> {
    return this.#enqueue(async () => {
      const req = { action: WriteAction.WRITE_ACTION_COMMIT, total: expectedSize, expected: expectedDigest, labels: options?.labels ?? {} };
      const res = await this.#request(req);
      this.#finish();
      return res.digest as Digest;
    });
  }

  /** Half-closes the stream and waits for the server to have closed its writer (the ref is then free). */
  async close(): Promise<void> {
    await this.#queue;
    this.#finish();
    await this.#ended;
  }

  #enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #request(fields: Partial<WriteContentRequest>): Promise<WriteContentResponse> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#call.write(WriteContentRequest.fromPartial(fields));
    });
  }

  /** Waits while the transport is full, or until the stream is over. */
  async #writable(): Promise<void> {
    if (!this.#call.writableNeedDrain || this.#closed) return;
    const stop = new AbortController();
    await Promise.race([once(this.#call, 'drain', { signal: stop.signal }).catch(() => undefined), this.#ended]);
    stop.abort();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#call.end();
  }

  #closedError(): MobyError {
    const after = this.#failure ? ` (after: ${this.#failure.message})` : '';
    return errorOf('failed-precondition', `ingest ${this.ref}: writer is closed${after}`);
  }
}
