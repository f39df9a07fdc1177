/**
 * volume-store and volume-runtime: facets of one `LocalVolumeService` over `<data-root>/volumes`,
 * publishing Docker's volume events (create, mount, unmount, destroy). Drivers other than
 * `local` come from the plugin store of the same component; placed elsewhere, the volume
 * service discovers plugins itself (discovery only reads the plugin directories).
 */
import { join } from 'node:path';
import { PluginStore } from '../../core/plugins/plugin-store.js';
import { LocalVolumeService } from '../../core/volumes/local-volume-service.js';
import type { Volume, VolumeCreateRequest, VolumeService } from '../../core/volumes/volume-service.js';
import type { EventDraft } from '../../core/events/event-message.js';
import { facetFactories } from '../../lib/component/facets.js';
import { EventPublisher } from '../events/publisher.js';
import { volumeRuntimeBinding, volumeStoreBinding } from './service.js';

const flushMs = 2000;

export const volumeServices = facetFactories(
  ['volume-store', 'volume-runtime'] as const,
  async (ctx) => {
    const colocated = ctx.colocated<PluginStore>('plugin-store');
    const plugins = colocated ?? new PluginStore();
    const events = new EventPublisher({ registry: ctx.registry, log: ctx.log });
    const service = LocalVolumeService.open({ root: join(ctx.roots.dataRoot, 'volumes'), plugins });
    return {
      local: withVolumeEvents(service, (e) => events.publish(e)),
      close: async () => {
        await service.close();
        await events.flushAndClose(flushMs);
        if (!colocated) await plugins.close();
      },
    };
  },
  { 'volume-store': volumeStoreBinding, 'volume-runtime': volumeRuntimeBinding },
);

/** The same service, telling of what changed as Docker's `volume` events. */
export function withVolumeEvents(inner: VolumeService, publish: (e: EventDraft) => void): VolumeService {
  const tell = (action: string, name: string, attributes: Record<string, string>) => {
    try {
      publish({ type: 'volume', action, actor: { id: name, attributes } });
    } catch {
      // events are best effort
    }
  };
  return {
    async create(req: VolumeCreateRequest, opts?: { anonymous?: boolean }): Promise<Volume> {
      const existed = req.Name ? await inner.inspect(req.Name).then(() => true, () => false) : false;
      const v = await inner.create(req, opts);
      if (!existed) tell('create', v.Name, { driver: v.Driver });
      return v;
    },
    inspect: (name) => inner.inspect(name),
    list: (filters) => inner.list(filters),
    async remove(name, opts) {
      const driver = (await inner.inspect(name).catch(() => undefined))?.Driver ?? '';
      await inner.remove(name, opts);
      tell('destroy', name, { driver });
    },
    async prune(filters) {
      const res = await inner.prune(filters);
      for (const name of res.VolumesDeleted ?? []) tell('destroy', name, { driver: 'local' });
      tell('prune', '', { reclaimed: String(res.SpaceReclaimed) });
      return res;
    },
    usage: () => inner.usage(),
    acquire: (name, holder) => inner.acquire(name, holder),
    release: (name, holder) => inner.release(name, holder),
    async mount(name, holder, as) {
      const path = await inner.mount(name, holder, as);
      // Docker's (daemon/volumes_unix.go setupMounts): where and how the container mounts it.
      tell('mount', name, {
        container: holder,
        destination: as?.destination ?? '',
        driver: (await inner.inspect(name).catch(() => undefined))?.Driver ?? '',
        propagation: as?.propagation ?? '',
        'read/write': String(as?.rw ?? true),
      });
      return path;
    },
    async unmount(name, holder) {
      await inner.unmount(name, holder);
      tell('unmount', name, { container: holder, driver: (await inner.inspect(name).catch(() => undefined))?.Driver ?? '' });
    },
    close: () => inner.close(),
  };
}
