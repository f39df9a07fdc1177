/**
 * layer-store: content, snapshots, unpack and garbage collection of `<data-root>/layers`,
 * served over gRPC. One process owns that root, through one `LocalLayerStore`.
 */
import { join } from 'node:path';
import { LocalLayerStore } from '../../core/layers/local-layer-store.js';
import type { ServiceFactory } from '../../lib/component/service.js';
import { layerStoreBinding } from './service.js';

export const layerStoreService: ServiceFactory = async (ctx) => {
  const store = await LocalLayerStore.open(join(ctx.roots.dataRoot, 'layers'));
  return {
    grpc: [layerStoreBinding(store)],
    local: store,
    close: () => store.close(),
  };
};
