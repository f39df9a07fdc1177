/**
 * The container engine over gRPC, for the engine API: each facet through the component that
 * hosts its service (found through the registry on first use). Errors come back as
 * `MobyError`s of the kind the server threw, with Docker's wording.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { ContainerLogsClient, type LogsResponse } from '../../api/moby/container_logs/v1/container_logs.js';
import { ContainerRootfsClient, type ArchiveGetResponse } from '../../api/moby/container_rootfs/v1/container_rootfs.js';
import { ContainerRuntimeClient, type AttachRequest, type AttachResponse } from '../../api/moby/container_runtime/v1/container_runtime.js';
import { ContainerStoreClient } from '../../api/moby/container_store/v1/container_store.js';
import type {
  ArchivePutOptions, AttachInput, AttachOptions, AttachSession, CommitOptions, ContainerEngine, CreateRequest, ExecStartOptions, Json,
  ListOptions, LogEntry, LogsOptions, LogsResult, PathStat, RemoveOptions, StatsOptions, StopOptions, WaitCondition, WaitResult,
} from '../../core/container-engine/container-engine.js';
import { connect, unary } from '../../lib/component/grpc-call.js';
import { pieces } from '../../lib/component/grpc-handlers.js';
import type { RegistryClient } from '../../lib/component/registry-client.js';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { fromGrpcError } from '../../lib/errdefs/grpc.js';
import { download } from '../image-store/client-streams.js';
import * as cv from './convert.js';

type Clients = {
  store: ContainerStoreClient;
  runtime: ContainerRuntimeClient;
  rootfs: ContainerRootfsClient;
  logs: ContainerLogsClient;
};

export class GrpcContainerEngine implements ContainerEngine {
  readonly #resolve: <K extends keyof Clients>(key: K) => Promise<Clients[K]>;
  readonly #forget: (key: keyof Clients) => void;
  readonly #open: { close(): void }[] = [];

  constructor(registry: RegistryClient) {
    const ctors = { store: ['container-store', ContainerStoreClient], runtime: ['container-runtime', ContainerRuntimeClient], rootfs: ['container-rootfs', ContainerRootfsClient], logs: ['container-logs', ContainerLogsClient] } as const;
    const made = new Map<string, { socket: string; client: { close(): void }; resolved: boolean }>();
    this.#resolve = async (key) => {
      const [service, ctor] = ctors[key];
      // Resolved once and kept (a registry round trip per call was a third of an exec's gRPC
      // traffic); `#forget` drops it when a call finds the component unavailable.
      const known = made.get(key);
      if (known?.resolved) return known.client as never;
      const { socket } = await registry.resolve(service);
      const had = made.get(key);
      if (had && had.socket === socket) {
        had.resolved = true;
        return had.client as never;
      }
      had?.client.close();
      const client = connect(ctor as never, socket) as { close(): void };
      made.set(key, { socket, client, resolved: true });
      this.#open.push(client);
      return client as never;
    };
    this.#forget = (key) => {
      const known = made.get(key);
      if (known) known.resolved = false;
    };
  }

  async #call<K extends keyof Clients, Req, Res>(key: K, method: (c: Clients[K]) => Parameters<typeof unary<Req, Res>>[0], req: Req): Promise<Res> {
    const client = await this.#resolve(key);
    try {
      return await unary(method(client).bind(client), req);
    } catch (err) {
      // The component may have moved (restarted elsewhere): ask the registry again next time.
      if (isKind(err, 'unavailable')) this.#forget(key);
      throw err;
    }
  }

  // ---- container-store ----
  async list(opts: ListOptions = {}): Promise<Json[]> {
    const req = { all: opts.all ?? false, limit: opts.limit ?? 0, size: opts.size ?? false, filters: cv.filtersToProto(opts.filters) };
    return cv.fromJson(await this.#call('store', (c) => c.list, req));
  }
  async inspect(ref: string, opts: { size?: boolean } = {}): Promise<Json> {
    return cv.fromJson(await this.#call('store', (c) => c.inspect, { ref, size: opts.size ?? false }));
  }
  async rename(ref: string, name: string): Promise<void> {
    await this.#call('store', (c) => c.rename, { ref, name });
  }
  async counts(): Promise<{ containers: number; running: number; paused: number; stopped: number }> {
    return this.#call('store', (c) => c.counts, {});
  }

  // ---- container-runtime ----
  async create(req: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    const res = await this.#call('runtime', (c) => c.create, { name: req.name ?? '', platform: req.platform ?? '', bodyJson: JSON.stringify(req.body ?? {}), apiVersion: req.apiVersion });
    return { Id: res.id, Warnings: res.warnings };
  }
  async start(ref: string): Promise<void> {
    await this.#call('runtime', (c) => c.start, { ref });
  }
  async stop(ref: string, opts?: StopOptions): Promise<void> {
    await this.#call('runtime', (c) => c.stop, cv.stopToProto(ref, opts));
  }
  async restart(ref: string, opts?: StopOptions): Promise<void> {
    await this.#call('runtime', (c) => c.restart, cv.stopToProto(ref, opts));
  }
  async kill(ref: string, signal?: string): Promise<void> {
    await this.#call('runtime', (c) => c.kill, { ref, signal: signal ?? '' });
  }
  async pause(ref: string): Promise<void> {
    await this.#call('runtime', (c) => c.pause, { ref });
  }
  async unpause(ref: string): Promise<void> {
    await this.#call('runtime', (c) => c.unpause, { ref });
  }
  async wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<WaitResult> {
    const client = await this.#resolve('runtime');
    const res = await new Promise<{ statusCode: number; error?: string | undefined }>((resolve, reject) => {
      const call = client.wait({ ref, condition }, (err, r) => {
        if (!err) return resolve(r);
        const e = fromGrpcError(err);
        if (isKind(e, 'unavailable')) this.#forget('runtime');
        reject(e);
      });
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
    return { StatusCode: res.statusCode, Error: res.error === undefined ? null : { Message: res.error } };
  }
  async remove(ref: string, opts: RemoveOptions = {}): Promise<void> {
    await this.#call('runtime', (c) => c.remove, { ref, force: opts.force ?? false, volumes: opts.volumes ?? false, link: opts.link ?? false });
  }
  async update(ref: string, body: Json): Promise<{ Warnings: string[] }> {
    return { Warnings: (await this.#call('runtime', (c) => c.update, { ref, bodyJson: JSON.stringify(body ?? {}) })).warnings };
  }
  async prune(filters?: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    return cv.fromJson(await this.#call('runtime', (c) => c.prune, { filters: cv.filtersToProto(filters) }));
  }
  async top(ref: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return cv.fromJson(await this.#call('runtime', (c) => c.top, { ref, psArgs: psArgs ?? '' }));
  }
  async *stats(ref: string, opts: StatsOptions = {}): AsyncGenerator<Json> {
    const client = await this.#resolve('runtime');
    const call = client.stats({ ref, stream: opts.stream ?? false, oneShot: opts.oneShot ?? false });
    const cancel = () => call.cancel();
    opts.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const res of call) yield JSON.parse((res as { json: string }).json);
    } catch (err) {
      throw fromGrpcError(err);
    } finally {
      opts.signal?.removeEventListener('abort', cancel);
      call.on('error', () => undefined);
      call.cancel();
    }
  }
  async attach(ref: string, opts: AttachOptions, input: AsyncIterable<AttachInput> | undefined): Promise<AttachSession> {
    const client = await this.#resolve('runtime');
    const options = { ref, stream: opts.stream ?? false, logs: opts.logs ?? false, stdin: opts.stdin ?? false, stdout: opts.stdout ?? false, stderr: opts.stderr ?? false };
    return openAttach(client.attach(), { options }, input);
  }
  async resize(ref: string, height: number, width: number): Promise<void> {
    await this.#call('runtime', (c) => c.resize, { ref, height, width });
  }
  async execCreate(ref: string, body: Json): Promise<{ Id: string }> {
    return { Id: (await this.#call('runtime', (c) => c.execCreate, { ref, bodyJson: JSON.stringify(body ?? {}) })).id };
  }
  async execStart(execId: string, opts: ExecStartOptions, input: AsyncIterable<AttachInput> | undefined): Promise<AttachSession> {
    const client = await this.#resolve('runtime');
    const execOptions = { execId, detach: opts.detach ?? false, tty: opts.tty ?? false, consoleSize: opts.consoleSize ? [...opts.consoleSize] : [] };
    return openAttach(client.execStart(), { execOptions }, input);
  }
  async execInspect(execId: string): Promise<Json> {
    return cv.fromJson(await this.#call('runtime', (c) => c.execInspect, { ref: execId }));
  }
  async execResize(execId: string, height: number, width: number): Promise<void> {
    await this.#call('runtime', (c) => c.execResize, { ref: execId, height, width });
  }
  async networkConnect(ref: string, network: string, endpoint: Json): Promise<void> {
    await this.#call('runtime', (c) => c.networkConnect, { ref, network, endpointJson: JSON.stringify(endpoint ?? {}) });
  }
  async networkDisconnect(ref: string, network: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.#call('runtime', (c) => c.networkDisconnect, { ref, network, force: opts.force ?? false });
  }

  // ---- container-rootfs ----
  async archiveStat(ref: string, path: string): Promise<PathStat> {
    return cv.statFromProto(await this.#call('rootfs', (c) => c.archiveStat, { ref, path }));
  }
  async archiveGet(ref: string, path: string): Promise<{ stat: PathStat; data: AsyncIterable<Uint8Array> }> {
    const client = await this.#resolve('rootfs');
    const call = client.archiveGet({ ref, path });
    const it = call[Symbol.asyncIterator]();
    let first: IteratorResult<ArchiveGetResponse>;
    try {
      first = await it.next();
    } catch (err) {
      throw fromGrpcError(err);
    }
    if (first.done || !first.value.stat) throw errorOf('internal', 'container-rootfs: archive without a stat');
    const data = (async function* () {
      try {
        for (let next = await it.next(); !next.done; next = await it.next()) if (next.value.data) yield next.value.data as Uint8Array;
      } catch (err) {
        throw fromGrpcError(err);
      } finally {
        call.on('error', () => undefined);
        call.cancel();
      }
    })();
    return { stat: cv.statFromProto(first.value.stat), data };
  }
  async archivePut(ref: string, path: string, data: AsyncIterable<Uint8Array>, opts: ArchivePutOptions = {}): Promise<void> {
    const client = await this.#resolve('rootfs');
    await new Promise<void>((resolve, reject) => {
      const call = client.archivePut((err) => (err ? reject(fromGrpcError(err)) : resolve()));
      void (async () => {
        try {
          await writeTo(call, { options: { ref, path, noOverwriteDirNonDir: opts.noOverwriteDirNonDir ?? false, copyUidGid: opts.copyUIDGID ?? false } });
          for await (const chunk of data) for (const piece of pieces(chunk)) await writeTo(call, { data: piece });
          call.end();
        } catch (err) {
          call.cancel();
          reject(err);
        }
      })();
    });
  }
  async diff(ref: string): Promise<Json> {
    return cv.fromJson(await this.#call('rootfs', (c) => c.diff, { ref }));
  }
  async *export(ref: string): AsyncGenerator<Uint8Array> {
    const client = await this.#resolve('rootfs');
    yield* download(() => client.export({ ref }));
  }
  async commit(ref: string, opts: CommitOptions): Promise<{ Id: string }> {
    return { Id: (await this.#call('rootfs', (c) => c.commit, cv.commitToProto(ref, opts))).id };
  }

  // ---- container-logs ----
  async logs(ref: string, opts: LogsOptions): Promise<LogsResult> {
    const client = await this.#resolve('logs');
    const call = client.logs(cv.logsToProto(ref, opts));
    const cancel = () => {
      call.on('error', () => undefined);
      call.cancel();
    };
    opts.signal?.addEventListener('abort', cancel, { once: true });
    const it = call[Symbol.asyncIterator]();
    let first: IteratorResult<LogsResponse>;
    try {
      first = await it.next();
    } catch (err) {
      throw fromGrpcError(err);
    }
    if (first.done || !first.value.header) throw errorOf('internal', 'container-logs: a stream without a header');
    const entries = (async function* (): AsyncGenerator<LogEntry[]> {
      try {
        for (let next = await it.next(); !next.done; next = await it.next()) {
          const batch = (next.value as LogsResponse).batch;
          if (batch) yield batch.entries.map((e) => ({ stream: e.stderr ? 'stderr' : 'stdout', line: e.line, time: e.time }));
        }
      } catch (err) {
        if (opts.signal?.aborted) return;
        throw fromGrpcError(err);
      } finally {
        opts.signal?.removeEventListener('abort', cancel);
        cancel();
      }
    })();
    return { tty: first.value.header.tty, entries };
  }

  async close(): Promise<void> {
    for (const client of this.#open) client.close();
  }
}

/** Opens an attach-like stream: sends `first`, then the input; resolves once the server said `ready`. */
async function openAttach(
  call: ClientDuplexStream<AttachRequest, AttachResponse>,
  first: AttachRequest,
  input: AsyncIterable<AttachInput> | undefined,
): Promise<AttachSession> {
  const it = call[Symbol.asyncIterator]();
  await writeTo(call, first);
  let head: IteratorResult<AttachResponse>;
  try {
    head = await it.next();
  } catch (err) {
    throw fromGrpcError(err);
  }
  if (head.done || !head.value.ready) throw errorOf('internal', 'container-runtime: an attach stream without ready');
  let over = false;
  const close = () => {
    if (over) return;
    over = true;
    call.on('error', () => undefined);
    call.cancel();
  };
  if (input) {
    void (async () => {
      try {
        for await (const item of input) {
          if (over) return;
          if ('stdin' in item) for (const piece of pieces(item.stdin)) await writeTo(call, { stdin: piece });
          else await writeTo(call, { closeStdin: true });
        }
      } catch {
        // The client's input failed: the attachment goes on for output.
      }
    })();
  }
  const output = (async function* (): AsyncGenerator<Uint8Array> {
    try {
      for (let next = await it.next(); !next.done; next = await it.next()) {
        const data = (next.value as AttachResponse).data;
        if (data) yield data;
      }
    } catch (err) {
      if (over) return;
      throw fromGrpcError(err);
    } finally {
      over = true;
    }
  })();
  return { tty: head.value.ready.tty, ready: Promise.resolve(), output, close };
}

async function writeTo<T>(call: { write(m: T): boolean; once(e: string, fn: () => void): unknown }, message: T): Promise<void> {
  if (call.write(message)) return;
  await new Promise<void>((resolve) => call.once('drain', resolve));
}
