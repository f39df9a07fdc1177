/**
 * For tests: a `LocalImageStore` over a `LocalLayerStore` in a temporary directory, served by
 * a real component on a unix socket, and a `GrpcImageStore` of it. `cleanup` undoes
 * everything, pass or fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageStore } from '../../core/image-store/image-store.js';
import { LocalImageStore } from '../../core/image-store/local-image-store.js';
import { LocalLayerStore } from '../../core/layers/local-layer-store.js';
import { startComponent, type RunningComponent } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import { GrpcImageStore } from './client.js';
import { imageStoreBinding } from './service.js';

export interface ServedImageStore {
  client: GrpcImageStore;
  /** The stores behind the component, for checking behind the client's back. */
  local: LocalImageStore;
  layers: LocalLayerStore;
  cleanup(): Promise<void>;
}

export async function serveImageStore(wrap?: (store: ImageStore) => ImageStore): Promise<ServedImageStore> {
  // Short: unix socket paths must stay under 108 bytes.
  const dir = await mkdtemp('/tmp/isg-');
  let layers: LocalLayerStore | undefined;
  let local: LocalImageStore | undefined;
  let component: RunningComponent | undefined;
  let client: GrpcImageStore | undefined;
  const cleanup = async () => {
    await client?.close();
    await component?.close();
    await local?.close();
    await layers?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    layers = await LocalLayerStore.open(join(dir, 'layers'));
    local = await LocalImageStore.open({ root: join(dir, 'images'), layers, clock: () => new Date('2024-05-06T07:08:09Z') });
    const served = wrap ? wrap(local) : local;
    component = await startComponent({
      name: 'image-store',
      socket: join(dir, 'c.sock'),
      registrySocket: join(dir, 'r.sock'),
      roots: { dataRoot: dir, execRoot: dir },
      services: [{ name: 'image-store', implementation: 'test', factory: () => ({ grpc: [imageStoreBinding(served)] }) }],
      log: createLogger({ component: 'image-store' }, 'error'),
      drainMs: 200,
    });
    client = new GrpcImageStore(join(dir, 'c.sock'));
    return { client, local, layers, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** `store` with `import`, `load` and `commit` reporting, through `settled`, when the server has finished with each stream. */
export function watchUploads(store: ImageStore): { store: ImageStore; settled: () => Promise<void> } {
  let last: Promise<void> = Promise.resolve();
  const watched = <T>(events: AsyncIterable<T>): AsyncIterable<T> => {
    let done!: () => void;
    last = new Promise((resolve) => (done = resolve));
    return (async function* () {
      try {
        yield* events;
      } finally {
        done();
      }
    })();
  };
  const overrides: Partial<ImageStore> = {
    import: (source, opts) => watched(store.import(source, opts)),
    load: (source, opts) => watched(store.load(source, opts)),
    commit: (layer, opts) => {
      let done!: () => void;
      last = new Promise((resolve) => (done = resolve));
      return store.commit(layer, opts).finally(() => done());
    },
  };
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof ImageStore];
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, settled: () => last };
}
