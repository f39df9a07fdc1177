/**
 * The four container services (container-store, container-runtime, container-rootfs,
 * container-logs) as facets of one `LocalContainerEngine` over `<data-root>/containers`.
 * They share the engine's in-memory state (running monitors, attachments, exec instances),
 * so a manifest must place them in one component: the first of them to start creates the
 * engine, the others bind their facet to it (`ServiceContext.colocated`). Facets placed in
 * different components would each open their own engine over the same data: not supported.
 */
import { join } from 'node:path';
import { LocalContainerEngine } from '../../core/container-engine/local-container-engine.js';
import type { ImageStore } from '../../core/image-store/image-store.js';
import type { LayerStore } from '../../core/layers/layer-store.js';
import { facetFactories, type Opened } from '../../lib/component/facets.js';
import type { ServiceContext } from '../../lib/component/service.js';
import { EventPublisher } from '../events/publisher.js';
import { GrpcImageStore } from '../image-store/client.js';
import { GrpcLayerStore } from '../layer-store/client.js';
import { GrpcNetworkService } from '../networks/client.js';
import { GrpcVolumeService } from '../volumes/client.js';
import type { NetworkService } from '../../core/networks/network-service.js';
import type { VolumeService } from '../../core/volumes/volume-service.js';
import { containerLogsBinding, containerRootfsBinding, containerRuntimeBinding, containerStoreBinding } from './service.js';

const flushMs = 2000;

/** The instance of the first facet: it owns the engine, recovers its containers at start and closes it. */
async function openEngine(ctx: ServiceContext): Promise<Opened<LocalContainerEngine>> {
  const localLayers = ctx.colocated<LayerStore>('layer-store');
  const localImages = ctx.colocated<ImageStore>('image-store');
  const layers: LayerStore = localLayers ?? (await GrpcLayerStore.dial(ctx.registry));
  const images: ImageStore = localImages ?? (await GrpcImageStore.dial(ctx.registry));
  const localVolumes = ctx.colocated<VolumeService>('volume-store');
  const localNetworks = ctx.colocated<NetworkService>('network-store');
  const volumes: VolumeService = localVolumes ?? new GrpcVolumeService(ctx.registry);
  const networks: NetworkService = localNetworks ?? new GrpcNetworkService(ctx.registry);
  const events = new EventPublisher({ registry: ctx.registry, log: ctx.log });
  const release = async () => {
    if (!localLayers) await layers.close();
    if (!localImages) await images.close();
    if (!localVolumes) await volumes.close();
    if (!localNetworks) await networks.close();
  };
  try {
    const engine = await LocalContainerEngine.open({
      root: join(ctx.roots.dataRoot, 'containers'),
      execRoot: join(ctx.roots.execRoot, 'containers'),
      layers,
      images,
      volumes,
      networks,
      publish: (event) => events.publish(event),
      log: (line) => ctx.log.info(line),
    });
    return {
      local: engine,
      start: () => engine.recover(),
      close: async () => {
        await engine.close();
        await events.flushAndClose(flushMs);
        await release();
      },
    };
  } catch (err) {
    events.close();
    await release();
    throw err;
  }
}


const services = facetFactories(['container-store', 'container-runtime', 'container-rootfs', 'container-logs'] as const, openEngine, {
  'container-store': containerStoreBinding,
  'container-runtime': containerRuntimeBinding,
  'container-rootfs': containerRootfsBinding,
  'container-logs': containerLogsBinding,
});

export const containerStoreService = services['container-store'];
export const containerRuntimeService = services['container-runtime'];
export const containerRootfsService = services['container-rootfs'];
export const containerLogsService = services['container-logs'];
