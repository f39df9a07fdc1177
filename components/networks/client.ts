/**
 * `NetworkService` over gRPC: network-store and network-runtime through the components that
 * host them (found through the registry on first use, found again when a component moved).
 */
import { NetworkRuntimeClient } from '../../api/moby/network_runtime/v1/network_runtime.js';
import { NetworkStoreClient } from '../../api/moby/network_store/v1/network_store.js';
import type {
  ConnectResult, EndpointRequest, NetworkCreateRequest, NetworkResource, NetworkService, PortRequest, SandboxInfo,
} from '../../core/networks/network-service.js';
import { unary } from '../../lib/component/grpc-call.js';
import type { RegistryClient } from '../../lib/component/registry-client.js';
import { ServiceClients } from '../../lib/component/service-clients.js';
import { filtersToProto, fromJson } from '../containers/convert.js';

export class GrpcNetworkService implements NetworkService {
  readonly #clients: ServiceClients<{ store: NetworkStoreClient; runtime: NetworkRuntimeClient }>;

  constructor(registry: RegistryClient) {
    this.#clients = new ServiceClients(registry, { store: ['network-store', NetworkStoreClient], runtime: ['network-runtime', NetworkRuntimeClient] });
  }

  async create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const c = await this.#clients.get('store');
    const res = await unary(c.create.bind(c), { bodyJson: JSON.stringify(req) });
    return { Id: res.id, Warning: res.warning };
  }
  async inspect(ref: string, opts: { verbose?: boolean; scope?: string } = {}): Promise<NetworkResource> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.inspect.bind(c), { ref, verbose: opts.verbose ?? false, scope: opts.scope ?? '' }));
  }
  async list(filters?: Record<string, string[]>): Promise<NetworkResource[]> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.list.bind(c), { filters: filtersToProto(filters) }));
  }
  async remove(ref: string): Promise<void> {
    const c = await this.#clients.get('store');
    await unary(c.remove.bind(c), { ref });
  }
  async prune(filters?: Record<string, string[]>): Promise<{ NetworksDeleted: string[] | null }> {
    const c = await this.#clients.get('store');
    return fromJson(await unary(c.prune.bind(c), { filters: filtersToProto(filters) }));
  }
  async createSandbox(containerId: string): Promise<{ netnsPath: string }> {
    const c = await this.#clients.get('runtime');
    return { netnsPath: (await unary(c.createSandbox.bind(c), { containerId })).netnsPath };
  }
  async removeSandbox(containerId: string): Promise<void> {
    const c = await this.#clients.get('runtime');
    await unary(c.removeSandbox.bind(c), { containerId });
  }
  async connect(sandbox: SandboxInfo, endpoint: EndpointRequest, ports?: PortRequest): Promise<ConnectResult> {
    const c = await this.#clients.get('runtime');
    const req = { sandboxJson: JSON.stringify(sandbox), endpointJson: JSON.stringify(endpoint), portsJson: ports ? JSON.stringify(ports) : '' };
    return fromJson(await unary(c.connect.bind(c), req));
  }
  async disconnect(containerId: string, network: string): Promise<void> {
    const c = await this.#clients.get('runtime');
    await unary(c.disconnect.bind(c), { containerId, network });
  }
  async close(): Promise<void> {
    this.#clients.close();
  }
}
