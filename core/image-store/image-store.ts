/**
 * The image store: images by name and ID over a `LayerStore`, with the operations behind
 * Docker's image endpoints. Results are in the Docker Engine API's own shapes (PascalCase,
 * as /work/shared/reference/docker-engine-api.yaml defines ImageSummary, ImageInspect,
 * HistoryResponseItem, ImageDeleteResponseItem), because the engine API returns them as
 * they are; the store is where their values are decided.
 *
 * Names in every `ref` argument are what Docker accepts in a `{name}` path segment: a
 * reference (`busybox`, `busybox:1`, `127.0.0.1:5055/bb`, `name@sha256:…`), a full image ID
 * (`sha256:<hex>`) or a unique ID prefix. An unknown one is `not-found` with Docker's
 * message (`No such image: busybox:latest`); so is an ambiguous prefix, as in Docker
 * (both its image stores answer "not found" there); a malformed one is `invalid-argument`.
 *
 * Every operation is remote-friendly: plain data in and out, byte streams as
 * AsyncIterable<Uint8Array>, progress as an AsyncIterable of events, so `LocalImageStore`
 * and the gRPC client `GrpcImageStore` implement the same contract.
 */

/** Docker's JSON message (progress streams of import, load, pull, push). */
export interface JsonMessage {
  status?: string;
  id?: string;
  stream?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  errorDetail?: { message: string };
  error?: string;
  aux?: Record<string, unknown>;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Docker filters: `{"reference":["busy*"],"dangling":["true"]}`. */
export type Filters = Record<string, string[]>;

export interface ListOptions {
  all?: boolean;
  filters?: Filters;
  /** Fill `SharedSize` (costly), as `shared-size=1` asks. */
  sharedSize?: boolean;
}

export interface RemoveOptions {
  force?: boolean;
  /** Docker's `noprune=1` is `prune: false`: keep untagged parents. */
  prune?: boolean;
}

export interface ImportOptions {
  /** `repo` as the CLI sends it, possibly with `:tag`; empty: an untagged image. */
  repo?: string;
  tag?: string;
  /** Dockerfile instructions (`CMD ["sh"]`, `ENV A=1`). */
  changes?: string[];
  message?: string;
  /** `os[/arch[/variant]]`; default this machine's. */
  platform?: string;
}

export interface LoadOptions {
  quiet?: boolean;
}

/** What a progress-reporting operation yields: messages to relay, then its result. */
export type ProgressEvent<T> = { message: JsonMessage } | { result: T };

export interface ImportResult {
  /** The new image's ID, `sha256:<hex>`. */
  id: string;
}

export interface LoadResult {
  /** `busybox:latest` for tagged images, `sha256:<hex>` for untagged ones, in archive order. */
  loaded: string[];
}

export interface PruneResult {
  /** `null` when nothing was deleted, as Docker writes it. */
  ImagesDeleted: Json[] | null;
  SpaceReclaimed: number;
}

export interface ImageStore {
  list(opts?: ListOptions): Promise<Json[]>;
  inspect(ref: string): Promise<Json>;
  history(ref: string): Promise<Json[]>;
  /** `repo` normalised or not; `tag` default `latest`. */
  tag(source: string, repo: string, tag?: string): Promise<void>;
  /** Docker's untag-vs-delete rules; returns ImageDeleteResponseItems. */
  remove(ref: string, opts?: RemoveOptions): Promise<Json[]>;
  /** `docker import`: one layer from a rootfs tar (plain or gzip). */
  import(source: AsyncIterable<Uint8Array>, opts?: ImportOptions): AsyncIterable<ProgressEvent<ImportResult>>;
  /** `docker load`: a docker-archive or OCI-layout tarball. */
  load(source: AsyncIterable<Uint8Array>, opts?: LoadOptions): AsyncIterable<ProgressEvent<LoadResult>>;
  /** `docker save`: a tarball loadable by Docker and readable by skopeo. */
  save(refs: string[]): AsyncIterable<Uint8Array>;
  prune(opts?: { filters?: Filters }): Promise<PruneResult>;
  /** The `Images` part of `GET /system/df`, and `LayersSize`. */
  diskUsage(): Promise<{ LayersSize: number; Images: Json[] }>;
  close(): Promise<void>;
}
