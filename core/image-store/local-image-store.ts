import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import { goTime } from '../image/go-json.js';
import { parseImageConfig } from '../image/image-config.js';
import type { Platform } from '../image/oci.js';
import { normalizePlatform } from '../image/platform.js';
import { parseNormalizedNamed, referenceString, repoTagReference } from '../image/reference.js';
import type { LayerStore } from '../layers/layer-store.js';
import { GcLock, MetadataStore } from '../metadata/index.js';
import { imageEvent, type ImageEventSink } from './image-events.js';
import { ImageRecords } from './image-records.js';
import { commitImage } from './commit-image.js';
import type {
  CommitImageOptions, Filters, ImageStore, ImportOptions, ImportResult, Json, ListOptions, LoadOptions, LoadResult, LoginResult, ProgressEvent,
  PruneResult, PullOptions, PullResult, PushOptions, PushResult, RegistryAuth, RemoveOptions,
} from './image-store.js';
import { imageHistory, imageInspect } from './image-views.js';
import { importImage } from './import-image.js';
import { LeaseBook } from './lease-book.js';
import { listImages } from './list-images.js';
import { loadImages } from './load-image.js';
import { imageDiskUsage, pruneImages } from './prune-images.js';
import { pullIntoStore, type RegistryOptions } from './pull-into-store.js';
import { pushFromStore } from './push-from-store.js';
import { registryLogin } from './registry-login.js';
import { removeImage } from './remove-image.js';
import { familiarOf, resolveImage } from './resolve-image.js';
import { saveImages } from './save-image.js';
import { holderOf, type StoreContext } from './store-image.js';

export interface LocalImageStoreOptions {
  /** `<data-root>/images`: the image store's metadata database and scratch space. */
  root: string;
  /** Where blobs and snapshots live; the caller owns it (and closes it). */
  layers: LayerStore;
  /** Stamps imports and tags; tests pass one they control. */
  clock?: () => Date;
  /** The platform of imports that name none (default: this machine's). */
  platform?: Platform;
  /** Written into imported images' configs as `docker_version`. */
  dockerVersion?: string;
  /** How registries are reached by pull, push and login (insecure registries, certs.d, user agent). */
  registry?: RegistryOptions;
  /** Told of Docker's image events; the image-store component publishes them. Must not throw. */
  publish?: ImageEventSink;
}

/**
 * The image store over a `LayerStore`, with Docker's behaviour. Records (image ID →
 * manifest, config, layers, sizes; name → image ID) live in `<root>/metadata.db`, apart
 * from the layer store's database; `<root>/tmp` holds what a load spools. Each image is
 * a layer-store holder `{kind: 'image', id: <image ID>}` of its manifest and config
 * blobs (per ID, not per name, so names come and go without touching the layer store);
 * the manifest's labels keep its config and layers alive and the config's the top
 * snapshot. Imports, commits, loads and pulls work under a lease and become visible in one
 * transaction at the end; saves and pushes lease what they read. Docker's image events go
 * to `publish`.
 */
export class LocalImageStore implements ImageStore {
  private closed = false;

  private constructor(
    private readonly ctx: StoreContext,
    private readonly db: MetadataStore,
    private readonly opts: LocalImageStoreOptions,
  ) {}

  static async open(opts: LocalImageStoreOptions): Promise<LocalImageStore> {
    // Files a crashed load was spooling; one process owns the root, so none is in use.
    await rm(join(opts.root, 'tmp'), { recursive: true, force: true });
    await mkdir(join(opts.root, 'tmp'), { recursive: true, mode: 0o700 });
    const clock = opts.clock ?? (() => new Date());
    const db = MetadataStore.open(opts.root, { clock });
    const leases = new LeaseBook(opts.layers, db);
    const publish = opts.publish ?? (() => undefined);
    const ctx: StoreContext = { layers: opts.layers, records: new ImageRecords(db), commits: new GcLock(), leases, clock, publish };
    const store = new LocalImageStore(ctx, db, opts);
    try {
      await store.dropStrayHolders();
      await leases.recover();
    } catch (err) {
      db.close();
      throw err;
    }
    return store;
  }

  async list(opts: ListOptions = {}): Promise<Json[]> {
    this.checkOpen();
    return listImages(this.ctx.records, opts, this.ctx.clock());
  }

  async inspect(ref: string): Promise<Json> {
    const { record, config, names } = await this.image(ref);
    return imageInspect(record, config, names);
  }

  async history(ref: string): Promise<Json[]> {
    const { record, config, names } = await this.image(ref);
    return imageHistory(record, config, names);
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    this.checkOpen();
    const id = resolveImage(this.ctx.records, source);
    if (parseNormalizedNamed(repo).digest !== undefined) throw errorOf('invalid-argument', 'refusing to create a tag with a digest reference');
    const name = referenceString(repoTagReference(repo, tag));
    this.ctx.records.tag(id, name, goTime(this.ctx.clock()));
    this.ctx.publish(imageEvent('tag', id, familiarOf(name), this.ctx.records.get(id)?.labels));
  }

  async remove(ref: string, opts: RemoveOptions = {}): Promise<Json[]> {
    this.checkOpen();
    return (await removeImage(this.ctx, ref, opts.force ?? false)).items;
  }

  import(source: AsyncIterable<Uint8Array>, opts: ImportOptions = {}): AsyncIterable<ProgressEvent<ImportResult>> {
    this.checkOpen();
    const platform = this.opts.platform ?? hostPlatform();
    return importImage({ ...this.ctx, platform, dockerVersion: this.opts.dockerVersion }, source, opts);
  }

  async commit(layer: AsyncIterable<Uint8Array>, opts: CommitImageOptions): Promise<{ id: string }> {
    this.checkOpen();
    const platform = this.opts.platform ?? hostPlatform();
    return commitImage({ ...this.ctx, platform, dockerVersion: this.opts.dockerVersion }, layer, opts);
  }

  load(source: AsyncIterable<Uint8Array>, _opts: LoadOptions = {}): AsyncIterable<ProgressEvent<LoadResult>> {
    this.checkOpen();
    return loadImages({ ...this.ctx, scratchDir: join(this.opts.root, 'tmp') }, source);
  }

  pull(ref: string, opts: PullOptions = {}): AsyncIterable<ProgressEvent<PullResult>> {
    this.checkOpen();
    return pullIntoStore({ ...this.ctx, registry: this.opts.registry ?? {} }, ref, opts);
  }

  push(ref: string, opts: PushOptions = {}): AsyncIterable<ProgressEvent<PushResult>> {
    this.checkOpen();
    return pushFromStore({ ...this.ctx, registry: this.opts.registry ?? {} }, ref, opts);
  }

  async login(auth: RegistryAuth): Promise<LoginResult> {
    this.checkOpen();
    return registryLogin(auth, this.opts.registry);
  }

  save(refs: string[]): AsyncIterable<Uint8Array> {
    this.checkOpen();
    return saveImages(this.ctx, refs);
  }

  async prune(opts: { filters?: Filters } = {}): Promise<PruneResult> {
    this.checkOpen();
    return pruneImages(this.ctx, opts.filters);
  }

  async diskUsage(): Promise<{ LayersSize: number; Images: Json[] }> {
    this.checkOpen();
    return imageDiskUsage(this.ctx.records);
  }

  /** Waits for commits and removals in progress, then closes the database; the layer store stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ctx.commits.exclusive(async () => this.db.close());
  }

  private async image(ref: string) {
    this.checkOpen();
    const { records, layers } = this.ctx;
    const id = resolveImage(records, ref);
    const record = records.get(id)!;
    const config = parseImageConfig(await layers.content.readAll(record.config.digest));
    return { record, config, names: records.namesOf(id) };
  }

  /** Holders left by a crash between holding an image and recording it; collected by `recover`'s or the next collection. */
  private async dropStrayHolders(): Promise<void> {
    for (const { holder } of await this.ctx.layers.listHolders('image')) {
      if (!this.ctx.records.get(holder.id)) await this.ctx.layers.deleteHolder(holderOf(holder.id));
    }
  }

  private checkOpen(): void {
    if (this.closed) throw errorOf('failed-precondition', 'image store: closed');
  }
}

/** The platform this engine runs: Node's architecture names in Go's words. */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return normalizePlatform({ os: 'linux', architecture: arch[process.arch] ?? process.arch });
}
