/**
 * The server-streaming content rpcs: Read and ListContent, paced by the client.
 */
import type { Readable } from 'node:stream';
import type { ServerWritableStream } from '@grpc/grpc-js';
import type {
  ListContentRequest, ListContentResponse, ReadContentRequest, ReadContentResponse,
} from '../../api/moby/layer_store/v1/layer_store.js';
import type { ContentStore } from '../../core/content/content-store.js';
import { pieces } from '../../lib/component/grpc-handlers.js';
import { contentInfoToProto, listFilterFromProto, readRangeFromProto } from './convert.js';
import { fail, send } from '../../lib/component/grpc-handlers.js';

/** Sends the range chunk by chunk; the blob is read only as fast as the client takes it. */
export async function serveRead(content: ContentStore, call: ServerWritableStream<ReadContentRequest, ReadContentResponse>): Promise<void> {
  let source: Readable | undefined;
  try {
    source = await content.reader(call.request.digest, readRangeFromProto(call.request));
    for await (const chunk of source) for (const data of pieces(chunk)) await send(call, { data });
    call.end();
  } catch (err) {
    source?.destroy();
    fail(call, err);
  }
}

export async function serveListContent(content: ContentStore, call: ServerWritableStream<ListContentRequest, ListContentResponse>): Promise<void> {
  try {
    for await (const info of content.list(listFilterFromProto(call.request))) await send(call, { info: contentInfoToProto(info) });
    call.end();
  } catch (err) {
    fail(call, err);
  }
}
