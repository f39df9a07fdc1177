/**
 * gRPC adapters of network-store and network-runtime over one `NetworkService`: decode, call,
 * encode. Errors go through the one gRPC table (lib/errdefs/grpc.ts).
 */
import { NetworkRuntimeService, type NetworkRuntimeServer } from '../../api/moby/network_runtime/v1/network_runtime.js';
import { NetworkStoreService, type NetworkStoreServer } from '../../api/moby/network_store/v1/network_store.js';
import type { NetworkService } from '../../core/networks/network-service.js';
import { unaryOf } from '../../lib/component/grpc-handlers.js';
import type { GrpcBinding } from '../../lib/component/service.js';
import { filtersFromProto, toJson } from '../containers/convert.js';

export function networkStoreBinding(networks: NetworkService): GrpcBinding {
  const implementation: NetworkStoreServer = {
    create: unaryOf(async (r) => {
      const { Id, Warning } = await networks.create(JSON.parse(r.bodyJson || '{}'));
      return { id: Id, warning: Warning };
    }),
    inspect: unaryOf(async (r) => toJson(await networks.inspect(r.ref, { verbose: r.verbose, ...(r.scope ? { scope: r.scope } : {}) }))),
    list: unaryOf(async (r) => toJson(await networks.list(filtersFromProto(r.filters)))),
    remove: unaryOf(async (r) => {
      await networks.remove(r.ref);
      return {};
    }),
    prune: unaryOf(async (r) => toJson(await networks.prune(filtersFromProto(r.filters)))),
  };
  return { definition: NetworkStoreService, implementation };
}

export function networkRuntimeBinding(networks: NetworkService): GrpcBinding {
  const implementation: NetworkRuntimeServer = {
    createSandbox: unaryOf(async (r) => ({ netnsPath: (await networks.createSandbox(r.containerId)).netnsPath })),
    removeSandbox: unaryOf(async (r) => {
      await networks.removeSandbox(r.containerId);
      return {};
    }),
    connect: unaryOf(async (r) =>
      toJson(await networks.connect(JSON.parse(r.sandboxJson), JSON.parse(r.endpointJson), r.portsJson ? JSON.parse(r.portsJson) : undefined)),
    ),
    disconnect: unaryOf(async (r) => {
      await networks.disconnect(r.containerId, r.network);
      return {};
    }),
  };
  return { definition: NetworkRuntimeService, implementation };
}
