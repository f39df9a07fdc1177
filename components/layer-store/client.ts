/**
 * The layer store over gRPC, for other components: `GrpcLayerStore` and the content store and
 * snapshotter it carries. Errors come back as `MobyError`s of the kind the server threw.
 */
import { LayerStoreClient } from '../../api/moby/layer_store/v1/layer_store.js';
import type {
  GcSummary, LayerDescriptor, LayerStore, LeaseOptions, ResourceRef, UnpackOptions, UnpackResult,
} from '../../core/layers/layer-store.js';
import { connect, unary } from '../../lib/component/grpc-call.js';
import type { RegistryClient } from '../../lib/component/registry-client.js';
import * as cv from './convert.js';
import { GrpcContentStore } from './grpc-content-store.js';
import { GrpcSnapshotter } from './grpc-snapshotter.js';

export { GrpcContentStore } from './grpc-content-store.js';
export { GrpcContentWriter } from './grpc-content-writer.js';
export { GrpcSnapshotter } from './grpc-snapshotter.js';

export class GrpcLayerStore implements LayerStore {
  readonly content: GrpcContentStore;
  readonly snapshots: GrpcSnapshotter;
  readonly #client: LayerStoreClient;

  constructor(socketPath: string) {
    this.#client = connect(LayerStoreClient, socketPath);
    this.content = new GrpcContentStore(this.#client);
    this.snapshots = new GrpcSnapshotter(this.#client);
  }

  /** A client of the component hosting `layer-store`, found through the registry. */
  static async dial(registry: RegistryClient): Promise<GrpcLayerStore> {
    return new GrpcLayerStore((await registry.resolve('layer-store')).socket);
  }

  async unpack(layers: LayerDescriptor[], opts?: UnpackOptions): Promise<UnpackResult> {
    return cv.unpackResultFromProto(await unary(this.#client.unpack.bind(this.#client), cv.unpackToProto(layers, opts)));
  }

  async setHolder(holder: ResourceRef, refs: ResourceRef[]): Promise<void> {
    await unary(this.#client.setHolder.bind(this.#client), { holder: cv.refToProto(holder), refs: refs.map(cv.refToProto) });
  }

  async deleteHolder(holder: ResourceRef): Promise<void> {
    await unary(this.#client.deleteHolder.bind(this.#client), { holder: cv.refToProto(holder) });
  }

  async listHolders(kind?: string): Promise<{ holder: ResourceRef; refs: ResourceRef[] }[]> {
    return (await unary(this.#client.listHolders.bind(this.#client), { kind })).holders.map(cv.holderFromProto);
  }

  async createLease(opts?: LeaseOptions): Promise<string> {
    return (await unary(this.#client.createLease.bind(this.#client), { expiresInMs: opts?.expiresInMs })).lease;
  }

  async addToLease(lease: string, ref: ResourceRef): Promise<void> {
    await unary(this.#client.addToLease.bind(this.#client), { lease, ref: cv.refToProto(ref) });
  }

  async deleteLease(lease: string): Promise<void> {
    await unary(this.#client.deleteLease.bind(this.#client), { lease });
  }

  async collectGarbage(): Promise<GcSummary> {
    return cv.gcSummaryFromProto(await unary(this.#client.collectGarbage.bind(this.#client), {}));
  }

  /** Closes the channel; the server's store stays open. */
  async close(): Promise<void> {
    this.#client.close();
  }
}
