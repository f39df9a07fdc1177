/**
 * The image store over gRPC, for other components (the engine API first). Errors come back
 * as `MobyError`s of the kind the server threw, with its message (Docker's wording).
 */
import { ImageStoreClient, type CommitRequest, type CommitResponse } from '../../api/moby/image_store/v1/image_store.js';
import type {
  CommitImageOptions, Filters, ImageStore, ImportOptions, ImportResult, Json, ListOptions, LoadOptions, LoadResult, LoginResult, ProgressEvent,
  PruneResult, PullOptions, PullResult, PushOptions, PushResult, RegistryAuth, RemoveOptions,
} from '../../core/image-store/image-store.js';
import { connect, unary } from '../../lib/component/grpc-call.js';
import type { RegistryClient } from '../../lib/component/registry-client.js';
import { download, progress, upload, uploadUnary } from './client-streams.js';
import * as cv from './convert.js';

export class GrpcImageStore implements ImageStore {
  readonly #client: ImageStoreClient;

  constructor(socketPath: string) {
    this.#client = connect(ImageStoreClient, socketPath);
  }

  /** A client of the component hosting `image-store`, found through the registry. */
  static async dial(registry: RegistryClient): Promise<GrpcImageStore> {
    return new GrpcImageStore((await registry.resolve('image-store')).socket);
  }

  async list(opts?: ListOptions): Promise<Json[]> {
    return cv.fromJson(await unary(this.#client.list.bind(this.#client), cv.listToProto(opts)));
  }

  async inspect(ref: string): Promise<Json> {
    return cv.fromJson(await unary(this.#client.inspect.bind(this.#client), { ref }));
  }

  async history(ref: string): Promise<Json[]> {
    return cv.fromJson(await unary(this.#client.history.bind(this.#client), { ref }));
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    await unary(this.#client.tag.bind(this.#client), { source, repo, tag: tag ?? '' });
  }

  async remove(ref: string, opts: RemoveOptions = {}): Promise<Json[]> {
    const req = { ref, force: opts.force ?? false, noPrune: opts.prune === false };
    return cv.fromJson(await unary(this.#client.remove.bind(this.#client), req));
  }

  import(source: AsyncIterable<Uint8Array>, opts?: ImportOptions): AsyncIterable<ProgressEvent<ImportResult>> {
    const first = { options: cv.importOptionsToProto(opts) };
    return upload(() => this.#client.import(), first, source, (data) => ({ data }), cv.importEventFromProto);
  }

  async commit(layer: AsyncIterable<Uint8Array>, opts: CommitImageOptions): Promise<{ id: string }> {
    const first = { options: cv.commitOptionsToProto(opts) };
    const res = await uploadUnary<CommitRequest, CommitResponse>((cb) => this.#client.commit(cb), first, layer, (data) => ({ data }));
    return { id: res.id };
  }

  load(source: AsyncIterable<Uint8Array>, opts: LoadOptions = {}): AsyncIterable<ProgressEvent<LoadResult>> {
    const first = { options: { quiet: opts.quiet ?? false } };
    return upload(() => this.#client.load(), first, source, (data) => ({ data }), cv.loadEventFromProto);
  }

  pull(ref: string, opts: PullOptions = {}): AsyncIterable<ProgressEvent<PullResult>> {
    return progress(() => this.#client.pull(cv.pullToProto(ref, opts)), cv.pullEventFromProto, opts.signal);
  }

  push(ref: string, opts: PushOptions = {}): AsyncIterable<ProgressEvent<PushResult>> {
    return progress(() => this.#client.push(cv.pushToProto(ref, opts)), cv.pushEventFromProto, opts.signal);
  }

  async login(auth: RegistryAuth): Promise<LoginResult> {
    const res = await unary(this.#client.login.bind(this.#client), { auth: cv.authToProto(auth) });
    return { Status: res.status, IdentityToken: res.identityToken };
  }

  save(refs: string[]): AsyncIterable<Uint8Array> {
    return download(() => this.#client.save({ refs }));
  }

  async prune(opts: { filters?: Filters } = {}): Promise<PruneResult> {
    return cv.fromJson(await unary(this.#client.prune.bind(this.#client), { filters: cv.filtersToProto(opts.filters) }));
  }

  async diskUsage(): Promise<{ LayersSize: number; Images: Json[] }> {
    return cv.fromJson(await unary(this.#client.diskUsage.bind(this.#client), {}));
  }

  /** Closes the channel; the server's store stays open. */
  async close(): Promise<void> {
    this.#client.close();
  }
}
