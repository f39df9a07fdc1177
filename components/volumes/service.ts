/**
 * gRPC adapters of volume-store and volume-runtime over one `VolumeService`: decode, call,
 * encode. Errors go through the one gRPC table (lib/errdefs/grpc.ts).
 */
import { VolumeRuntimeService, type VolumeRuntimeServer } from '../../api/moby/volume_runtime/v1/volume_runtime.js';
import { VolumeStoreService, type VolumeStoreServer } from '../../api/moby/volume_store/v1/volume_store.js';
import type { VolumeService } from '../../core/volumes/volume-service.js';
import { unaryOf } from '../../lib/component/grpc-handlers.js';
import type { GrpcBinding } from '../../lib/component/service.js';
import { filtersFromProto, toJson } from '../containers/convert.js';

export function volumeStoreBinding(volumes: VolumeService): GrpcBinding {
  const implementation: VolumeStoreServer = {
    create: unaryOf(async (r) => toJson(await volumes.create(JSON.parse(r.bodyJson || '{}'), { anonymous: r.anonymous }))),
    inspect: unaryOf(async (r) => toJson(await volumes.inspect(r.name))),
    list: unaryOf(async (r) => toJson(await volumes.list(filtersFromProto(r.filters)))),
    remove: unaryOf(async (r) => {
      await volumes.remove(r.name, { force: r.force });
      return {};
    }),
    prune: unaryOf(async (r) => toJson(await volumes.prune(filtersFromProto(r.filters)))),
    usage: unaryOf(async () => toJson(await volumes.usage())),
    acquire: unaryOf(async (r) => {
      await volumes.acquire(r.name, r.holder);
      return {};
    }),
    release: unaryOf(async (r) => {
      await volumes.release(r.name, r.holder);
      return {};
    }),
  };
  return { definition: VolumeStoreService, implementation };
}

export function volumeRuntimeBinding(volumes: VolumeService): GrpcBinding {
  const implementation: VolumeRuntimeServer = {
    mount: unaryOf(async (r) => ({ path: await volumes.mount(r.name, r.holder, { destination: r.destination, rw: r.readWrite, propagation: r.propagation }) })),
    unmount: unaryOf(async (r) => {
      await volumes.unmount(r.name, r.holder);
      return {};
    }),
  };
  return { definition: VolumeRuntimeService, implementation };
}
