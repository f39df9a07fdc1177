/**
 * plugin-store: legacy plugins found in Docker's plugin directories, activated on first use,
 * served over gRPC (list, get by capability). Callers in the same process use the store
 * itself (`ServiceContext.colocated`); others dial the plugin at the address `Get` returns.
 */
import { PluginStoreService, type PluginStoreServer } from '../../api/moby/plugin_store/v1/plugin_store.js';
import { PluginStore } from '../../core/plugins/plugin-store.js';
import { unaryOf } from '../../lib/component/grpc-handlers.js';
import type { GrpcBinding, ServiceFactory } from '../../lib/component/service.js';

export function pluginStoreBinding(store: PluginStore): GrpcBinding {
  const implementation: PluginStoreServer = {
    list: unaryOf(async (r) => ({
      plugins: (await store.list(r.capability || undefined)).map((p) => ({ name: p.Name, address: p.Addr, implements: p.Implements ?? [] })),
    })),
    get: unaryOf(async (r) => {
      const p = await store.get(r.name, r.capability);
      return { name: p.name, address: p.addr, implements: [...p.implements] };
    }),
  };
  return { definition: PluginStoreService, implementation };
}

export const pluginStoreService: ServiceFactory = async () => {
  const store = new PluginStore();
  return { grpc: [pluginStoreBinding(store)], local: store, close: () => store.close() };
};
