/**
 * gRPC adapter of image-store over any `ImageStore`.
 */
import { ImageStoreService, type ImageStoreServer } from '../../api/moby/image_store/v1/image_store.js';
import type { ImageStore } from '../../core/image-store/image-store.js';
import type { GrpcBinding } from '../../lib/component/service.js';
import * as cv from './convert.js';
import { serveBytes, serveProgress, serveUpload, serveUploadUnary, unaryOf } from './serve-streams.js';

export function imageStoreBinding(store: ImageStore): GrpcBinding {
  const implementation: ImageStoreServer = {
    list: unaryOf(async (r) => cv.toJson(await store.list(cv.listFromProto(r)))),
    inspect: unaryOf(async (r) => cv.toJson(await store.inspect(r.ref))),
    history: unaryOf(async (r) => cv.toJson(await store.history(r.ref))),
    tag: unaryOf(async (r) => {
      await store.tag(r.source, r.repo, r.tag || undefined);
      return {};
    }),
    remove: unaryOf(async (r) => cv.toJson(await store.remove(r.ref, { force: r.force, prune: !r.noPrune }))),
    import: (call) => void serveUpload(call, (opts, data) => store.import(data, cv.importOptionsFromProto(opts)), cv.importEventToProto),
    commit: (call, callback) => void serveUploadUnary(call, callback, (opts, data) => store.commit(data, cv.commitOptionsFromProto(opts)), (r) => ({ id: r.id })),
    load: (call) => void serveUpload(call, (opts, data) => store.load(data, { quiet: opts.quiet }), cv.loadEventToProto),
    pull: (call) => void serveProgress(call, (signal) => store.pull(call.request.ref, { ...cv.pullFromProto(call.request), signal }), cv.pullEventToProto),
    push: (call) => void serveProgress(call, (signal) => store.push(call.request.ref, { auth: cv.authFromProto(call.request.auth), signal }), cv.pushEventToProto),
    login: unaryOf(async (r) => {
      const { Status, IdentityToken } = await store.login(cv.authFromProto(r.auth));
      return { status: Status, identityToken: IdentityToken };
    }),
    save: (call) => void serveBytes(call, () => store.save(call.request.refs), (data) => ({ data })),
    prune: unaryOf(async (r) => cv.toJson(await store.prune({ filters: cv.filtersFromProto(r.filters) }))),
    diskUsage: unaryOf(async () => cv.toJson(await store.diskUsage())),
  };
  return { definition: ImageStoreService, implementation };
}
