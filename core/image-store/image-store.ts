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

import type { RegistryAuth } from '../distribution/registry-auth.js';

export type { RegistryAuth } from '../distribution/registry-auth.js';

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

/** `docker commit`'s options (`POST /commit`), for the image side of it. */
export interface CommitImageOptions {
  /** The container's image: an ID (`sha256:…`) or anything `{name}` accepts; empty: no parent (scratch). */
  parent: string;
  /** The container's full ID: the config's `container`. */
  containerId: string;
  /** The container's `Config` (Docker's `container.Config`): the config's `container_config`, what the new config is merged with, and the history's `created_by` (its `Cmd`). */
  containerConfig: Json;
  /** `comment`: the new history entry's comment (moby writes no top-level comment for a commit). */
  comment?: string;
  /** `author`: the config's and the history entry's author. */
  author?: string;
  /** Dockerfile instructions (`CMD ["sh"]`, `ENV A=1`), applied to `config` (or the container's Config). */
  changes?: string[];
  /** The request body's `container.Config`, when the request had one; absent or null: the container's Config. */
  config?: Json;
  /** `repo` as the API takes it, possibly with `:tag`; empty: an untagged image. */
  repo?: string;
  tag?: string;
}

export interface LoadOptions {
  quiet?: boolean;
}

export interface PullOptions {
  /** `os[/arch[/variant]]`: the entry of a multi-platform image to pull (default linux/amd64), and what a single-platform one must be. */
  platform?: string;
  /** Credentials for the registry (the decoded `X-Registry-Auth`); anonymous when absent. */
  auth?: RegistryAuth;
  /** Every tag of the repository `ref` names (`docker pull --all-tags`); `ref` then carries no tag. */
  allTags?: boolean;
  /** Stops the pull: transfers end, nothing of it becomes visible, and the stream fails with `cancelled`. */
  signal?: AbortSignal;
}

export interface PullResult {
  /** One per reference pulled (several with `allTags`), in order. */
  images: { id: string; reference: string; repoDigest: string }[];
}

export interface PushOptions {
  auth?: RegistryAuth;
  /** Stops the push before its next tag (a tag's transfers, once started, run to their end); the stream then fails with `cancelled`. */
  signal?: AbortSignal;
}

export interface PushResult {
  /** One per tag pushed (every tag of the repository when `ref` names none), in order. */
  pushed: { tag: string; digest: string; size: number }[];
}

/** `POST /auth`'s answer (Docker's `AuthenticateOKBody`). */
export interface LoginResult {
  Status: string;
  IdentityToken: string;
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
  /**
   * `docker commit`: a new image of the parent's layers plus `layer` (the container's
   * changes as an uncompressed tar, whiteouts included; none added when it is the empty
   * tar), the config merged as moby's commit merges it, one history entry more. The
   * options are checked (and the parent resolved: `not-found`) before `layer` is read; a
   * malformed layer is `invalid-argument` and nothing stays. Named when `repo` is given
   * (publishing `tag`); the container `commit` event is the caller's.
   */
  commit(layer: AsyncIterable<Uint8Array>, opts: CommitImageOptions): Promise<{ id: string }>;
  /** `docker load`: a docker-archive or OCI-layout tarball. */
  load(source: AsyncIterable<Uint8Array>, opts?: LoadOptions): AsyncIterable<ProgressEvent<LoadResult>>;
  /**
   * `docker pull`: the image (or, with `allTags`, every tag of the repository) from its
   * registry, with Docker's progress messages. It is recorded under its name and its repo
   * digest (`RepoDigests`) only once everything is stored and unpacked, all or nothing;
   * the name moves from any image that had it. Errors before the first message (a missing
   * manifest: `manifest for … not found: manifest unknown: manifest unknown`, `not-found`;
   * bad credentials, `unauthenticated`; an unreachable registry, `unavailable`) fail the
   * stream before it says anything, so the engine API can still answer them with a status.
   */
  pull(ref: string, opts?: PullOptions): AsyncIterable<ProgressEvent<PullResult>>;
  /**
   * `docker push`: the image a tag names (every tag of the repository when `ref` has none)
   * to its registry, as Docker reports it, ending with `<tag>: digest: … size: …` and the
   * `aux` message `{Tag, Digest, Size}`; the pushed digest becomes a repo digest of the
   * image. Layers kept uncompressed (imports, loads) are gzipped on the way, once: the
   * compressed blob is kept with the layer, so the same image pushes the same digest again.
   * A name with no local image is `not-found` (`An image does not exist locally with the
   * tag: …`), after the first message, as in Docker.
   */
  push(ref: string, opts?: PushOptions): AsyncIterable<ProgressEvent<PushResult>>;
  /**
   * `docker login`: checks `auth` against its registry (`serveraddress`, default Docker
   * Hub) with the registry's own auth flow. Wrong credentials are `unauthenticated` with
   * Docker's wording (`login attempt to http://…/v2/ failed with status: 401 Unauthorized`).
   */
  login(auth: RegistryAuth): Promise<LoginResult>;
  /** `docker save`: a tarball loadable by Docker and readable by skopeo. */
  save(refs: string[]): AsyncIterable<Uint8Array>;
  prune(opts?: { filters?: Filters }): Promise<PruneResult>;
  /** The `Images` part of `GET /system/df`, and `LayersSize`. */
  diskUsage(): Promise<{ LayersSize: number; Images: Json[] }>;
  close(): Promise<void>;
}
