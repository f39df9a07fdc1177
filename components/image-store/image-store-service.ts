/**
 * image-store: images of `<data-root>/images` over the layer-store service (in-process when
 * the same component hosts it, else its gRPC client), served over gRPC.
 * One process owns that root, through one `LocalImageStore`. Its image events (pull, push,
 * tag, untag, delete, import, load, save, prune) go to the `events` service through an
 * `EventPublisher`, found through the registry whenever it is up.
 */
import { join } from 'node:path';
import { LocalImageStore } from '../../core/image-store/local-image-store.js';
import type { ServiceFactory } from '../../lib/component/service.js';
import { buildInfo } from '../../lib/component/version.js';
import { EventPublisher } from '../events/publisher.js';
import type { LayerStore } from '../../core/layers/layer-store.js';
import { GrpcLayerStore } from '../layer-store/client.js';
import { imageStoreBinding } from './service.js';

/** How long a shutdown waits for buffered events to reach the events service. */
const flushMs = 2000;

export const imageStoreService: ServiceFactory = async (ctx) => {
  // In the same process as layer-store (the default packaging), blobs skip the socket.
  const local = ctx.colocated<LayerStore>('layer-store');
  const layers: LayerStore = local ?? (await GrpcLayerStore.dial(ctx.registry));
  const release = async () => {
    if (!local) await layers.close();
  };
  const events = new EventPublisher({ registry: ctx.registry, log: ctx.log });
  try {
    const { version } = buildInfo();
    const store = await LocalImageStore.open({
      root: join(ctx.roots.dataRoot, 'images'), layers, dockerVersion: version,
      registry: { userAgent: `moby-core/${version}` }, publish: (event) => events.publish(event),
    });
    return {
      grpc: [imageStoreBinding(store)],
      close: async () => {
        await store.close();
        await events.flushAndClose(flushMs);
        await release();
      },
    };
  } catch (err) {
    events.close();
    await release();
    throw err;
  }
};

