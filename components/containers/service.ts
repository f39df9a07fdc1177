/**
 * gRPC adapters of the four container services over one `ContainerEngine`: decode, call,
 * encode. Errors go through the one gRPC table (lib/errdefs/grpc.ts).
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { ContainerLogsService, type ContainerLogsServer, type LogEntry as ProtoLogEntry } from '../../api/moby/container_logs/v1/container_logs.js';
import { ContainerRootfsService, type ContainerRootfsServer } from '../../api/moby/container_rootfs/v1/container_rootfs.js';
import {
  ContainerRuntimeService, type AttachRequest, type AttachResponse, type ContainerRuntimeServer,
} from '../../api/moby/container_runtime/v1/container_runtime.js';
import { ContainerStoreService, type ContainerStoreServer } from '../../api/moby/container_store/v1/container_store.js';
import type { AttachInput, AttachSession, ContainerEngine } from '../../core/container-engine/container-engine.js';
import { cancelled, fail, send, unaryOf } from '../../lib/component/grpc-handlers.js';
import type { GrpcBinding } from '../../lib/component/service.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { toGrpcError } from '../../lib/errdefs/grpc.js';
import { serveBytes } from '../image-store/serve-streams.js';
import * as cv from './convert.js';

export function containerStoreBinding(engine: ContainerEngine): GrpcBinding {
  const implementation: ContainerStoreServer = {
    list: unaryOf(async (r) => cv.toJson(await engine.list({ all: r.all, limit: r.limit, size: r.size, filters: cv.filtersFromProto(r.filters) }))),
    inspect: unaryOf(async (r) => cv.toJson(await engine.inspect(r.ref, { size: r.size }))),
    rename: unaryOf(async (r) => {
      await engine.rename(r.ref, r.name);
      return {};
    }),
    counts: unaryOf(async () => engine.counts()),
  };
  return { definition: ContainerStoreService, implementation };
}

export function containerRuntimeBinding(engine: ContainerEngine): GrpcBinding {
  const done = async (p: Promise<unknown>) => {
    await p;
    return {};
  };
  const implementation: ContainerRuntimeServer = {
    create: unaryOf(async (r) => {
      const { Id, Warnings } = await engine.create({ name: r.name || undefined, platform: r.platform || undefined, body: JSON.parse(r.bodyJson || '{}'), apiVersion: r.apiVersion });
      return { id: Id, warnings: Warnings };
    }),
    start: unaryOf(async (r) => done(engine.start(r.ref))),
    stop: unaryOf(async (r) => done(engine.stop(r.ref, cv.stopFromProto(r)))),
    restart: unaryOf(async (r) => done(engine.restart(r.ref, cv.stopFromProto(r)))),
    kill: unaryOf(async (r) => done(engine.kill(r.ref, r.signal || undefined))),
    pause: unaryOf(async (r) => done(engine.pause(r.ref))),
    unpause: unaryOf(async (r) => done(engine.unpause(r.ref))),
    wait: (call, cb) => {
      const controller = new AbortController();
      call.once('cancelled', () => controller.abort(cancelled()));
      unaryOf(async () => {
        const res = await engine.wait(call.request.ref, cv.waitCondition(call.request.condition), controller.signal);
        return res.Error ? { statusCode: res.StatusCode, error: res.Error.Message } : { statusCode: res.StatusCode };
      })(call, cb);
    },
    remove: unaryOf(async (r) => done(engine.remove(r.ref, { force: r.force, volumes: r.volumes, link: r.link }))),
    update: unaryOf(async (r) => ({ warnings: (await engine.update(r.ref, JSON.parse(r.bodyJson || '{}'))).Warnings })),
    prune: unaryOf(async (r) => cv.toJson(await engine.prune(cv.filtersFromProto(r.filters)))),
    top: unaryOf(async (r) => cv.toJson(await engine.top(r.ref, r.psArgs || undefined))),
    stats: (call) => {
      const controller = new AbortController();
      call.once('cancelled', () => controller.abort(cancelled()));
      void (async () => {
        try {
          const { ref, stream, oneShot } = call.request;
          for await (const item of engine.stats(ref, { stream, oneShot, signal: controller.signal })) await send(call, cv.toJson(item));
          call.end();
        } catch (err) {
          fail(call, err);
        }
      })();
    },
    attach: (call) =>
      void serveAttach(call, async (first, input) => {
        if (!first.options) throw errorOf('invalid-argument', 'attach: the first message must carry the options');
        const { ref, ...opts } = first.options;
        return engine.attach(ref, opts, input);
      }),
    resize: unaryOf(async (r) => done(engine.resize(r.ref, r.height, r.width))),
    networkConnect: unaryOf(async (r) => done(engine.networkConnect(r.ref, r.network, JSON.parse(r.endpointJson || '{}')))),
    networkDisconnect: unaryOf(async (r) => done(engine.networkDisconnect(r.ref, r.network, { force: r.force }))),
    execCreate: unaryOf(async (r) => ({ id: (await engine.execCreate(r.ref, JSON.parse(r.bodyJson || '{}'))).Id })),
    execStart: (call) =>
      void serveAttach(call, async (first, input) => {
        const o = first.execOptions;
        if (!o) throw errorOf('invalid-argument', 'exec start: the first message must carry the options');
        const consoleSize = o.consoleSize.length === 2 ? ([o.consoleSize[0]!, o.consoleSize[1]!] as [number, number]) : undefined;
        return engine.execStart(o.execId, { detach: o.detach, tty: o.tty, ...(consoleSize ? { consoleSize } : {}) }, input);
      }),
    execInspect: unaryOf(async (r) => cv.toJson(await engine.execInspect(r.ref))),
    execResize: unaryOf(async (r) => done(engine.execResize(r.ref, r.height, r.width))),
  };
  return { definition: ContainerRuntimeService, implementation };
}

export function containerRootfsBinding(engine: ContainerEngine): GrpcBinding {
  const implementation: ContainerRootfsServer = {
    archiveStat: unaryOf(async (r) => cv.statToProto(await engine.archiveStat(r.ref, r.path))),
    archiveGet: (call) => {
      void (async () => {
        try {
          const { stat, data } = await engine.archiveGet(call.request.ref, call.request.path);
          await send(call, { stat: cv.statToProto(stat) });
          await serveBytes(call, () => data, (bytes) => ({ data: bytes }));
        } catch (err) {
          fail(call, err);
        }
      })();
    },
    archivePut: (call, cb) => {
      void (async () => {
        try {
          const requests = call[Symbol.asyncIterator]();
          const first = await requests.next();
          const o = first.done ? undefined : first.value.options;
          if (!o) throw errorOf('invalid-argument', 'archive put: the first message must carry the options');
          const data = (async function* () {
            for (let next = await requests.next(); !next.done; next = await requests.next()) {
              if (next.value.data === undefined) throw errorOf('invalid-argument', 'archive put: options sent twice');
              yield next.value.data;
            }
          })();
          await engine.archivePut(o.ref, o.path, data, { noOverwriteDirNonDir: o.noOverwriteDirNonDir, copyUIDGID: o.copyUidGid });
          cb(null, {});
        } catch (err) {
          cb(toGrpcError(err));
        }
      })();
    },
    diff: unaryOf(async (r) => cv.toJson(await engine.diff(r.ref))),
    export: (call) => void serveBytes(call, () => engine.export(call.request.ref), (data) => ({ data })),
    commit: unaryOf(async (r) => ({ id: (await engine.commit(r.ref, cv.commitFromProto(r))).Id })),
  };
  return { definition: ContainerRootfsService, implementation };
}

export function containerLogsBinding(engine: ContainerEngine): GrpcBinding {
  const implementation: ContainerLogsServer = {
    logs: (call) => {
      const controller = new AbortController();
      call.once('cancelled', () => controller.abort(cancelled()));
      void (async () => {
        try {
          const { tty, entries } = await engine.logs(call.request.ref, { ...cv.logsFromProto(call.request), signal: controller.signal });
          await send(call, { header: { tty } });
          for await (const batch of entries) {
            const out: ProtoLogEntry[] = batch.map((e) => ({ stderr: e.stream === 'stderr', line: Buffer.from(e.line.buffer, e.line.byteOffset, e.line.byteLength), time: e.time }));
            await send(call, { batch: { entries: out } });
          }
          call.end();
        } catch (err) {
          fail(call, err);
        }
      })();
    },
  };
  return { definition: ContainerLogsService, implementation };
}

/**
 * An attach-like rpc: the first message carries the options, later ones stdin; `ready` is
 * sent once the engine registered the attachment, then the output; the client's cancel
 * detaches.
 */
async function serveAttach(
  call: ServerDuplexStream<AttachRequest, AttachResponse>,
  open: (first: AttachRequest, input: AsyncIterable<AttachInput>) => Promise<AttachSession>,
): Promise<void> {
  let session: AttachSession | undefined;
  const onCancel = () => session?.close();
  call.once('cancelled', onCancel);
  try {
    const requests = call[Symbol.asyncIterator]();
    const first = await requests.next();
    if (first.done) throw errorOf('invalid-argument', 'attach: no options');
    const input = (async function* (): AsyncGenerator<AttachInput> {
      try {
        for (let next = await requests.next(); !next.done; next = await requests.next()) {
          const m = next.value as AttachRequest;
          if (m.stdin !== undefined) yield { stdin: m.stdin };
          else if (m.closeStdin) yield { closeStdin: true };
        }
      } catch {
        // The client went away: the input simply ends.
      }
    })();
    session = await open(first.value as AttachRequest, input);
    await session.ready;
    await send(call, { ready: { tty: session.tty } });
    for await (const data of session.output) await send(call, { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
    call.end();
  } catch (err) {
    session?.close();
    fail(call, err);
  } finally {
    call.off('cancelled', onCancel);
  }
}
