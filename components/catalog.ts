/**
 * Every service implementation Moby Core ships, as data: what each requires, and where its
 * code is. The manifest picks among these; a process loads only the code of what it hosts.
 */
import type { ServiceFactory } from '../lib/component/service.js';
import type { ImplementationFacts, ServiceCatalog } from '../lib/manifest/index.js';

interface Implementation extends ImplementationFacts {
  /** Absent for the services init serves itself. */
  load?: () => Promise<ServiceFactory>;
}

const implementations: Record<string, Record<string, Implementation>> = {
  'component-init': { builtin: { requires: [], providedByInit: true } },
  'component-registry': { builtin: { requires: [], providedByInit: true } },
  'component-healthcheck': {
    builtin: {
      requires: ['component-registry', 'component-init'],
      load: async () => (await import('./healthcheck/healthcheck-service.js')).healthcheckService,
    },
  },
  events: {
    builtin: {
      requires: [],
      load: async () => (await import('./events/events-service.js')).eventsService,
    },
  },
  'layer-store': {
    builtin: {
      requires: ['component-registry'],
      load: async () => (await import('./layer-store/layer-store-service.js')).layerStoreService,
    },
  },
  'image-store': {
    builtin: {
      requires: ['component-registry', 'layer-store'],
      load: async () => (await import('./image-store/image-store-service.js')).imageStoreService,
    },
  },
  'plugin-store': {
    builtin: {
      requires: ['component-registry'],
      load: async () => (await import('./plugins/plugin-store-service.js')).pluginStoreService,
    },
  },
  // volume-store and volume-runtime are facets of one volume service: a manifest places them together.
  'volume-store': {
    builtin: {
      requires: ['component-registry', 'plugin-store'],
      load: async () => (await import('./volumes/volumes-service.js')).volumeServices['volume-store'],
    },
  },
  'volume-runtime': {
    builtin: {
      requires: ['component-registry', 'plugin-store'],
      load: async () => (await import('./volumes/volumes-service.js')).volumeServices['volume-runtime'],
    },
  },
  // network-store and network-runtime are facets of one network service: a manifest places them together.
  'network-store': {
    builtin: {
      requires: ['component-registry'],
      load: async () => (await import('./networks/networks-service.js')).networkServices['network-store'],
    },
  },
  'network-runtime': {
    builtin: {
      requires: ['component-registry'],
      load: async () => (await import('./networks/networks-service.js')).networkServices['network-runtime'],
    },
  },
  // The four container services are facets of one engine: a manifest places them together.
  'container-store': {
    builtin: {
      requires: ['component-registry', 'layer-store', 'image-store', 'volume-store', 'volume-runtime', 'network-store', 'network-runtime'],
      load: async () => (await import('./containers/containers-service.js')).containerStoreService,
    },
  },
  'container-runtime': {
    builtin: {
      requires: ['component-registry', 'layer-store', 'image-store', 'volume-store', 'volume-runtime', 'network-store', 'network-runtime'],
      load: async () => (await import('./containers/containers-service.js')).containerRuntimeService,
    },
  },
  'container-rootfs': {
    builtin: {
      requires: ['component-registry', 'layer-store', 'image-store', 'volume-store', 'volume-runtime', 'network-store', 'network-runtime'],
      load: async () => (await import('./containers/containers-service.js')).containerRootfsService,
    },
  },
  'container-logs': {
    builtin: {
      requires: ['component-registry', 'layer-store', 'image-store', 'volume-store', 'volume-runtime', 'network-store', 'network-runtime'],
      load: async () => (await import('./containers/containers-service.js')).containerLogsService,
    },
  },
  'http-api-v1': {
    builtin: {
      requires: ['component-registry'],
      load: async () => (await import('./engine-api/engine-api-service.js')).engineApiService,
    },
  },
};

export const serviceCatalog: ServiceCatalog = Object.fromEntries(
  Object.entries(implementations).map(([service, impls]) => [
    service,
    Object.fromEntries(Object.entries(impls).map(([name, { requires, providedByInit }]) => [name, { requires, providedByInit }])),
  ]),
);

export async function loadFactory(service: string, implementation: string): Promise<ServiceFactory> {
  const impl = implementations[service]?.[implementation];
  if (!impl?.load) throw new Error(`service ${service} (${implementation}) has no loadable implementation`);
  return impl.load();
}
