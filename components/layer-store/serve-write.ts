/**
 * The Write rpc: one ingest driven over a bidirectional stream (the exchange is documented on
 * `WriteAction` in the proto). Requests are handled one at a time, in order, and read only as
 * fast as they are handled. However the stream ends short of a commit (half-close, cancel,
 * error) the writer is closed, never committed, so the ingest can be resumed.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import {
  WriteAction, type WriteContentRequest, type WriteContentResponse,
} from '../../api/moby/layer_store/v1/layer_store.js';
import type { ContentStore, ContentWriter } from '../../core/content/content-store.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { ingestStatusToProto, writerOptionsFromProto } from './convert.js';
import { fail, send } from '../../lib/component/grpc-handlers.js';

export async function serveWrite(content: ContentStore, call: ServerDuplexStream<WriteContentRequest, WriteContentResponse>): Promise<void> {
  const session = new WriteSession(content);
  try {
    // Not destroying on an early exit: the call must stay alive to carry the error status.
    for await (const req of call.iterator({ destroyOnReturn: false }) as AsyncIterable<WriteContentRequest>) {
      await send(call, await session.handle(req));
    }
    await session.close();
    call.end();
  } catch (err) {
    await session.close();
    fail(call, err);
  }
}

class WriteSession {
  #writer: ContentWriter | undefined;
  /** Where the ingest ends: its offset at OPEN plus every byte written since. */
  #offset = 0;

  constructor(private readonly content: ContentStore) {}

  async handle(req: WriteContentRequest): Promise<WriteContentResponse> {
    const answer = (fields: Partial<WriteContentResponse>): WriteContentResponse => ({ action: req.action, status: undefined, offset: 0, digest: '', ...fields });
    if (req.action === WriteAction.WRITE_ACTION_OPEN) {
      if (this.#writer) throw errorOf('invalid-argument', `ingest ${this.#writer.ref}: OPEN sent twice on one stream`);
      this.#writer = await this.content.writer(req.ref, writerOptionsFromProto(req));
      const status = await this.#writer.status();
      this.#offset = status.offset;
      return answer({ status: ingestStatusToProto(status) });
    }
    const writer = this.#writer;
    if (!writer) throw errorOf('invalid-argument', 'write stream: the first request must be OPEN');
    switch (req.action) {
      case WriteAction.WRITE_ACTION_STATUS:
        return answer({ status: ingestStatusToProto(await writer.status()) });
      case WriteAction.WRITE_ACTION_WRITE:
        if (req.offset !== this.#offset) {
          throw errorOf('failed-precondition', `ingest ${writer.ref}: write at offset ${req.offset}, but the ingest ends at ${this.#offset}`);
        }
        await writer.write(req.data);
        this.#offset += req.data.length;
        return answer({ offset: this.#offset });
      case WriteAction.WRITE_ACTION_DIGEST:
        return answer({ digest: await writer.digest() });
      case WriteAction.WRITE_ACTION_COMMIT:
        return answer({ digest: await writer.commit(req.total, req.expected, { labels: req.labels }) });
      default:
        throw errorOf('invalid-argument', `ingest ${writer.ref}: unknown write action ${req.action}`);
    }
  }

  /** Keeps the ingest (a committed or discarded writer is closed already). */
  async close(): Promise<void> {
    await this.#writer?.close().catch(() => undefined);
  }
}
