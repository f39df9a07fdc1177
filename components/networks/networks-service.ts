/**
 * network-store and network-runtime: facets of one `LocalNetworkService` (records in
 * `<data-root>/networks`, namespaces and netavark's state in `<exec-root>/networks`),
 * publishing Docker's network events (create, destroy). Connect and disconnect events come
 * from the container engine, which knows the container.
 *
 * The default bridge's device is Docker's `docker0` under our name: `moby0` for the default
 * data root, `moby-<hash>` for any other, so several engines (tests, benchmarks) can share a host.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { EventDraft } from '../../core/events/event-message.js';
import { LocalNetworkService } from '../../core/networks/local-network-service.js';
import type { NetworkService } from '../../core/networks/network-service.js';
import { facetFactories } from '../../lib/component/facets.js';
import { defaultRoots } from '../../lib/component/paths.js';
import { EventPublisher } from '../events/publisher.js';
import { networkRuntimeBinding, networkStoreBinding } from './service.js';

const flushMs = 2000;

export function defaultBridgeName(dataRoot: string): string {
  if (dataRoot === defaultRoots.dataRoot) return 'moby0';
  return `moby-${createHash('sha256').update(dataRoot).digest('hex').slice(0, 8)}`;
}

export const networkServices = facetFactories(
  ['network-store', 'network-runtime'] as const,
  async (ctx) => {
    const events = new EventPublisher({ registry: ctx.registry, log: ctx.log });
    const service = LocalNetworkService.open({
      root: join(ctx.roots.dataRoot, 'networks'),
      execRoot: join(ctx.roots.execRoot, 'networks'),
      bridgeName: defaultBridgeName(ctx.roots.dataRoot),
      onWarning: (message) => ctx.log.warn(message),
    });
    return {
      local: withNetworkEvents(service, (e) => events.publish(e)),
      close: async () => {
        await service.close();
        await events.flushAndClose(flushMs);
      },
    };
  },
  { 'network-store': networkStoreBinding, 'network-runtime': networkRuntimeBinding },
);

/** The same service, telling of created and removed networks as Docker's `network` events. */
export function withNetworkEvents(inner: NetworkService, publish: (e: EventDraft) => void): NetworkService {
  const tell = (action: string, id: string, name: string, type = 'bridge') => {
    try {
      publish({ type: 'network', action, actor: { id, attributes: { name, type } } });
    } catch {
      // events are best effort
    }
  };
  return {
    async create(req) {
      const res = await inner.create(req);
      tell('create', res.Id, req.Name, req.Driver || 'bridge');
      return res;
    },
    inspect: (ref, opts) => inner.inspect(ref, opts),
    list: (filters) => inner.list(filters),
    async remove(ref) {
      const n = await inner.inspect(ref);
      await inner.remove(ref);
      tell('destroy', n.Id, n.Name, n.Driver);
    },
    async prune(filters) {
      const before = new Map((await inner.list()).map((n) => [n.Id, n]));
      const res = await inner.prune(filters);
      for (const id of res.NetworksDeleted ?? []) {
        const n = [...before.values()].find((x) => x.Name === id || x.Id === id);
        tell('destroy', n?.Id ?? id, n?.Name ?? id, n?.Driver ?? 'bridge');
      }
      return res;
    },
    createSandbox: (id) => inner.createSandbox(id),
    removeSandbox: (id) => inner.removeSandbox(id),
    connect: (sandbox, endpoint, ports) => inner.connect(sandbox, endpoint, ports),
    disconnect: (id, network) => inner.disconnect(id, network),
    close: () => inner.close(),
  };
}
