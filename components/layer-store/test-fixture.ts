/**
 * For tests: a `LocalLayerStore` in a temporary directory, served by a real component on a
 * unix socket, and a `GrpcLayerStore` of it. `cleanup` undoes everything, pass or fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerStore } from '../../core/layers/layer-store.js';
import { LocalLayerStore } from '../../core/layers/local-layer-store.js';
import { startComponent, type RunningComponent } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import { GrpcLayerStore } from './client.js';
import { layerStoreBinding } from './service.js';

export interface ServedLayerStore {
  /** The client under test. */
  client: GrpcLayerStore;
  /** The store the component serves, for checking behind the client's back. */
  local: LocalLayerStore;
  /** The store's root (`content/`, `snapshots/`). */
  root: string;
  socket: string;
  cleanup(): Promise<void>;
}

export interface ServeOptions {
  /** Wraps the store before it is served, e.g. to watch what the server does. */
  wrap?: (store: LayerStore) => LayerStore;
}

export async function serveLayerStore(opts: ServeOptions = {}): Promise<ServedLayerStore> {
  // Short: unix socket paths must stay under 108 bytes.
  const dir = await mkdtemp('/tmp/lsg-');
  const root = join(dir, 'layers');
  const socket = join(dir, 'c.sock');
  let local: LocalLayerStore | undefined;
  let component: RunningComponent | undefined;
  let client: GrpcLayerStore | undefined;
  const cleanup = async () => {
    await client?.close();
    if (component) await component.close();
    else await local?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const opened = (local = await LocalLayerStore.open(root));
    const served = opts.wrap ? opts.wrap(opened) : opened;
    component = await startComponent({
      name: 'layer-store',
      socket,
      registrySocket: join(dir, 'r.sock'),
      roots: { dataRoot: dir, execRoot: dir },
      services: [{ name: 'layer-store', implementation: 'test', factory: () => ({ grpc: [layerStoreBinding(served)], close: () => opened.close() }) }],
      log: createLogger({ component: 'layer-store' }, 'error'),
      drainMs: 200,
    });
    client = new GrpcLayerStore(socket);
    return { client, local: opened, root, socket, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** `target` with some members replaced; the others are its own, bound to it. */
export function overlay<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}
