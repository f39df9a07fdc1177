/**
 * `VolumeService` over gRPC: volume-store and volume-runtime through the components that host
 * them (found through the registry on first use, found again when a component moved).
 */
import { VolumeRuntimeClient } from '../../api/moby/volume_runtime/v1/volume_runtime.js';
import { VolumeStoreClient } from '../../api/moby/volume_store/v1/volume_store.js';
import type { Volume, VolumeCreateRequest, VolumeFilters, VolumeMountAs, VolumeService } from '../../core/volumes/volume-service.js';
import { unary } from '../../lib/component/grpc-call.js';
import { ServiceClients } from '../../lib/component/service-clients.js';
import type { RegistryClient } from '../../lib/component/registry-client.js';
import { filtersToProto, fromJson } from '../containers/convert.js';

export class GrpcVolumeService implements VolumeService {
  readonly #clients: ServiceClients<{ store: VolumeStoreClient; runtime: VolumeRuntimeClient }>;

  constructor(registry: RegistryClient) {
    this.#clients = new ServiceClients(registry, { store: ['volume-store', VolumeStoreClient], runtime: ['volume-runtime', VolumeRuntimeClient] });
  }

  async create(req: VolumeCreateRequest, opts: { anonymous?: boolean } = {}): Promise<Volume> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.create.bind(c), { bodyJson: JSON.stringify(req), anonymous: opts.anonymous ?? false }));
  }
  async inspect(name: string): Promise<Volume> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.inspect.bind(c), { name }));
  }
  async list(filters?: VolumeFilters): Promise<{ Volumes: Volume[]; Warnings: string[] }> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.list.bind(c), { filters: filtersToProto(filters) }));
  }
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    const c = await this.#clients.get('store');
    await unary(c.remove.bind(c), { name, force: opts.force ?? false });
  }
  async prune(filters?: VolumeFilters): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.prune.bind(c), { filters: filtersToProto(filters) }));
  }
  async usage(): Promise<Volume[]> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.usage.bind(c), {}));
  }
  async acquire(name: string, holder: string): Promise<void> {
    const c = await this.#clients.get('store');
    await unary(c.acquire.bind(c), { name, holder });
  }
  async release(name: string, holder: string): Promise<void> {
    const c = await this.#clients.get('store');
    await unary(c.release.bind(c), { name, holder });
  }
  async mount(name: string, holder: string, as?: VolumeMountAs): Promise<string> {
    const c = await this.#clients.get('runtime');
    return (await unary(c.mount.bind(c), { name, holder, destination: as?.destination ?? '', readWrite: as?.rw ?? false, propagation: as?.propagation ?? '' })).path;
  }
  async unmount(name: string, holder: string): Promise<void> {
    const c = await this.#clients.get('runtime');
    await unary(c.unmount.bind(c), { name, holder });
  }
  async close(): Promise<void> {
    this.#clients.close();
  }
}
