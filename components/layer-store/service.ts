/**
 * gRPC adapter of layer-store over any `LayerStore`.
 */
import { LayerStoreService, type LayerStoreServer } from '../../api/moby/layer_store/v1/layer_store.js';
import type { LayerStore } from '../../core/layers/layer-store.js';
import type { GrpcBinding } from '../../lib/component/service.js';
import * as cv from './convert.js';
import { unaryOf } from '../../lib/component/grpc-handlers.js';
import { serveListContent, serveRead } from './serve-content-streams.js';
import { serveWrite } from './serve-write.js';

export function layerStoreBinding(store: LayerStore): GrpcBinding {
  const { content, snapshots } = store;
  const implementation: LayerStoreServer = {
    info: unaryOf(async (r) => ({ info: cv.contentInfoToProto(await content.info(r.digest)) })),
    updateLabels: unaryOf(async (r) => ({ info: cv.contentInfoToProto(await content.updateLabels(r.digest, cv.labelChangesFromProto(r))) })),
    listContent: (call) => void serveListContent(content, call),
    deleteContent: unaryOf((r) => done(content.delete(r.digest))),
    read: (call) => void serveRead(content, call),
    write: (call) => void serveWrite(content, call),
    status: unaryOf(async (r) => ({ status: cv.ingestStatusToProto(await content.status(r.ref)) })),
    listIngests: unaryOf(async () => ({ ingests: (await content.listIngests()).map(cv.ingestStatusToProto) })),
    abort: unaryOf((r) => done(content.abort(r.ref))),

    prepare: unaryOf(async (r) => ({ mounts: cv.mountsToProto(await snapshots.prepare(r.key, r.parent, cv.snapshotOptionsFromProto(r.labels))) })),
    view: unaryOf(async (r) => ({ mounts: cv.mountsToProto(await snapshots.view(r.key, r.parent, cv.snapshotOptionsFromProto(r.labels))) })),
    commit: unaryOf((r) => done(snapshots.commit(r.name, r.key, cv.snapshotOptionsFromProto(r.labels)))),
    removeSnapshot: unaryOf((r) => done(snapshots.remove(r.key))),
    statSnapshot: unaryOf(async (r) => ({ info: cv.snapshotInfoToProto(await snapshots.stat(r.key)) })),
    listSnapshots: unaryOf(async () => ({ snapshots: (await snapshots.list()).map(cv.snapshotInfoToProto) })),
    mounts: unaryOf(async (r) => ({ mounts: cv.mountsToProto(await snapshots.mounts(r.key)) })),
    usage: unaryOf(async (r) => cv.usageToProto(await snapshots.usage(r.key))),

    unpack: unaryOf(async (r) => {
      const { layers, opts } = cv.unpackFromProto(r);
      return cv.unpackResultToProto(await store.unpack(layers, opts));
    }),
    setHolder: unaryOf((r) => done(store.setHolder(cv.refFromProto(r.holder), r.refs.map(cv.refFromProto)))),
    deleteHolder: unaryOf((r) => done(store.deleteHolder(cv.refFromProto(r.holder)))),
    listHolders: unaryOf(async (r) => ({ holders: (await store.listHolders(r.kind)).map(cv.holderToProto) })),
    createLease: unaryOf(async (r) => ({ lease: await store.createLease(cv.leaseOptionsFromProto(r)) })),
    addToLease: unaryOf((r) => done(store.addToLease(r.lease, cv.refFromProto(r.ref)))),
    deleteLease: unaryOf((r) => done(store.deleteLease(r.lease))),
    collectGarbage: unaryOf(async () => cv.gcSummaryToProto(await store.collectGarbage())),
  };
  return { definition: LayerStoreService, implementation };
}

/** For rpcs whose response is empty. */
async function done(work: Promise<void>): Promise<Record<string, never>> {
  await work;
  return {};
}
