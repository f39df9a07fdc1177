/**
 * `ContentStore` over the layer-store service.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { LayerStoreClient } from '../../api/moby/layer_store/v1/layer_store.js';
import type {
  ContentInfo, ContentSource, ContentStore, ContentWriter, IngestStatus, LabelChanges, ListFilter, PutOptions,
  ReadRange, WriterOptions,
} from '../../core/content/content-store.js';
import { putContent } from '../../core/content/put-content.js';
import { unary } from '../../lib/component/grpc-call.js';
import { itemsOf, readableOf } from './client-streams.js';
import * as cv from './convert.js';
import { GrpcContentWriter } from './grpc-content-writer.js';

export class GrpcContentStore implements ContentStore {
  constructor(private readonly client: LayerStoreClient) {}

  async info(digest: string): Promise<ContentInfo> {
    return cv.contentInfoFromProto((await unary(this.client.info.bind(this.client), { digest })).info);
  }

  async updateLabels(digest: string, changes: LabelChanges): Promise<ContentInfo> {
    const res = await unary(this.client.updateLabels.bind(this.client), { digest, ...cv.labelChangesToProto(changes) });
    return cv.contentInfoFromProto(res.info);
  }

  async *list(filter?: ListFilter): AsyncIterable<ContentInfo> {
    for await (const res of itemsOf(this.client.listContent(cv.listFilterToProto(filter)))) yield cv.contentInfoFromProto(res.info);
  }

  async delete(digest: string): Promise<void> {
    await unary(this.client.deleteContent.bind(this.client), { digest });
  }

  reader(digest: string, range: ReadRange = {}): Promise<Readable> {
    return readableOf(this.client.read({ digest, offset: range.offset, length: range.length }), (res) => res.data);
  }

  async readAll(digest: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.reader(digest)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  writer(ref: string, options?: WriterOptions): Promise<ContentWriter> {
    return GrpcContentWriter.open(this.client, ref, options);
  }

  put(source: ContentSource, options: PutOptions = {}): Promise<ContentInfo> {
    return putContent(this, `put-${randomUUID()}`, source, options);
  }

  async status(ref: string): Promise<IngestStatus> {
    return cv.ingestStatusFromProto((await unary(this.client.status.bind(this.client), { ref })).status);
  }

  async listIngests(): Promise<IngestStatus[]> {
    return (await unary(this.client.listIngests.bind(this.client), {})).ingests.map(cv.ingestStatusFromProto);
  }

  async abort(ref: string): Promise<void> {
    await unary(this.client.abort.bind(this.client), { ref });
  }
}
