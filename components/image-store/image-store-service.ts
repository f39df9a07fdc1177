/**
 * image-store: images of `<data-root>/images` over the layer-store component, served over gRPC.
 * One process owns that root, through one `LocalImageStore`.
 */
import { join } from 'node:path';
import { LocalImageStore } from '../../core/image-store/local-image-store.js';
import type { ServiceFactory } from '../../lib/component/service.js';
import { buildInfo } from '../../lib/component/version.js';
import { GrpcLayerStore } from '../layer-store/client.js';
import { imageStoreBinding } from './service.js';

export const imageStoreService: ServiceFactory = async (ctx) => {
  const layers = await GrpcLayerStore.dial(ctx.registry);
  try {
    const store = await LocalImageStore.open({ root: join(ctx.roots.dataRoot, 'images'), layers, dockerVersion: buildInfo().version });
    return {
      grpc: [imageStoreBinding(store)],
      close: async () => {
        await store.close();
        await layers.close();
      },
    };
  } catch (err) {
    await layers.close();
    throw err;
  }
};
