/**
 * `LocalContainerEngine`: Docker's container daemon over Moby Core's parts.
 *
 *   records       core/containers (SqliteContainerStore, `<root>/containers.db`)
 *   filesystems   a writable overlay snapshot per container in the layer store, mounted on
 *                 `<root>/<id>/rootfs` while it runs (core/rootfs for cp, diff, export, commit)
 *   processes     the OCI runtime (runc) under one `moby-monitor` per process (core/runtime):
 *                 the monitor holds the stdio, writes the json-file log and the exit record,
 *                 and outlives this process, which finds its containers again in `recover`
 *   logs          core/logs reads the json-file log
 *   images        the image store: a container's image config at create, a new image at commit
 *
 * Layout: `<root>/<id>/` holds the container's hostname, hosts, resolv.conf, json-file log
 * and rootfs mount point; `<execRoot>/bundles/<id>/config.json` its OCI spec;
 * `<execRoot>/monitors/<id>/` its monitor's files; `<execRoot>/runc` the runtime's state.
 *
 * Operations on one container are serialised (`#locked`), so a stop racing a start or a
 * remove sees a settled state. Exits are learnt from the monitor's exit record, whoever
 * caused them; `#onExit` records them, releases the filesystem, wakes waiters, and applies the
 * restart policy or `AutoRemove`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildSpec, probeHost, resolveUser, listHostDevices, writeBundle, type HostInfo, type RuntimeSpec, type SpecMount } from '../bundle/index.js';
import { replaceOrAppendEnv } from '../bundle/process-steps.js';
import type { ContainerOptions } from '../bundle/container-options.js';
import type { EventDraft } from '../events/event-message.js';
import type { ImageStore } from '../image-store/image-store.js';
import type { LayerStore } from '../layers/layer-store.js';
import { chainId } from '../snapshots/chain-id.js';
import { coalesceRuns, readLogs } from '../logs/index.js';
import { archivePath, diffChanges, exportRootfs, extractArchive, layerFromUpper, statPath } from '../rootfs/index.js';
import {
  encodeFrame, OciRuntime, readExitRecord, runtimeMessage, stateDirName, reattach, signalThroughMonitor, STREAM_STDOUT, startContainer, startExec, waitExit, waitReleased, type ExitRecord, type OciRuntimeOptions,
} from '../runtime/index.js';
import {
  newContainerId, newContainerRecord, resetForManualStart, rfc3339Nano, setManuallyStopped, setPaused, setRemoving,
  setRestarting, setRunning, setStartFailed, setStopped, setUnpaused, clearRemoving, type ContainerRecord,
} from '../containers/container-record.js';
import { SqliteContainerStore, type ContainerStore } from '../containers/container-store.js';
import { decideRestart, exitFactsOf, restartOnBoot } from '../containers/restart-policy.js';
import { parseKillSignal, stopSignalOf } from '../containers/signals.js';
import { mergeImageConfig, normalizeCreateRequest, resolveCommand } from '../containers/create-request.js';
import type { ContainerConfig } from '../image/container-config.js';
import { inspectView, listView } from '../containers/views.js';
import { filterContainers } from '../containers/list-filters.js';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { Attachment, connectMonitor } from './attachment.js';
import type {
  ArchivePutOptions, AttachInput, AttachOptions, AttachSession, CommitOptions, ContainerEngine, CreateRequest, ExecStartOptions, Json,
  ListOptions, LogEntry, LogsOptions, LogsResult, PathStat, RemoveOptions, StatsOptions, StopOptions, WaitCondition, WaitResult,
} from './container-engine.js';
import { writeContainerFiles } from './container-files.js';
import { DEFAULT_NETWORK, ownsSandbox, planNetworks, refuseOnDefaultBridge, requestedEndpoint, unwireNetworks, wireNetworks, type Wired } from './container-network.js';
import type { NetworkService } from '../networks/network-service.js';
import type { VolumeService } from '../volumes/volume-service.js';
import { planMounts, releaseMounts, resolveMounts, specMounts, type ContainerMount } from '../mounts/index.js';
import { mountRootfs, overlayDirs, prepareRootfs, releaseRootfs, rootfsMounts, unmountRootfs } from './rootfs-mount.js';
import { emptyStats, statsStream } from './stats.js';
import { topProcesses } from './top.js';
import { startTrace } from './trace.js';

export interface LocalContainerEngineOptions {
  /** `<data-root>/containers`. */
  root: string;
  /** `<exec-root>/containers`. */
  execRoot: string;
  layers: LayerStore;
  images: ImageStore;
  /** Where container events go; must not throw. */
  publish?: (event: EventDraft) => void;
  log?: (line: string) => void;
  /** Runtime name → binary; default `runc` (Debian's) and `crun` when installed. */
  runtimes?: Record<string, string>;
  defaultRuntime?: string;
  /** The networks (network-store, network-runtime); absent: a container's own namespace has loopback only. */
  networks?: NetworkService;
  /** The volumes (volume-store, volume-runtime); absent: volumes and binds are refused. */
  volumes?: VolumeService;
}

/** A container whose process this engine watches. */
interface Live {
  pid: number;
  monitorPid: number;
  attachSocket: string;
  exitFile: string;
  stateDir: string;
  startedMs: number;
  /** Resolves when the process has exited and its exit is recorded. */
  exited: Promise<void>;
  watch: AbortController;
}

interface ExecInstance {
  id: string;
  containerId: string;
  config: {
    Cmd: string[];
    Env: string[];
    User: string;
    WorkingDir: string;
    Tty: boolean;
    AttachStdin: boolean;
    AttachStdout: boolean;
    AttachStderr: boolean;
    Privileged: boolean;
    DetachKeys: string;
    ConsoleSize: [number, number] | null;
  };
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  attachSocket?: string;
}

const STOP_DEFAULT_TIMEOUT_S = 10;

export class LocalContainerEngine implements ContainerEngine {
  readonly #store: ContainerStore;
  readonly #opts: LocalContainerEngineOptions;
  readonly #runtimes: Record<string, string>;
  readonly #defaultRuntime: string;
  readonly #live = new Map<string, Live>();
  readonly #pending = new Map<string, Set<Attachment>>();
  readonly #exitWaiters = new Map<string, Set<(code: number) => void>>();
  readonly #removedWaiters = new Map<string, Set<(code: number) => void>>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #execs = new Map<string, ExecInstance>();
  readonly #backoff = new Map<string, number>();
  readonly #restartTimers = new Map<string, NodeJS.Timeout>();
  readonly #mounts = new Map<string, number>();
  /** Unmounts the volumes a container's current run mounted. */
  readonly #volumeReleases = new Map<string, () => Promise<void>>();
  #host: Promise<HostInfo> | undefined;
  #closing = false;

  private constructor(store: ContainerStore, opts: LocalContainerEngineOptions) {
    this.#store = store;
    this.#opts = opts;
    this.#runtimes = opts.runtimes ?? defaultRuntimes();
    this.#defaultRuntime = opts.defaultRuntime ?? 'runc';
  }

  static async open(opts: LocalContainerEngineOptions): Promise<LocalContainerEngine> {
    await mkdir(opts.root, { recursive: true, mode: 0o710 });
    await mkdir(opts.execRoot, { recursive: true, mode: 0o700 });
    return new LocalContainerEngine(SqliteContainerStore.open(opts.root), opts);
  }

  // ---------------------------------------------------------------- paths and helpers

  #dir(id: string): string {
    return join(this.#opts.root, id);
  }
  #rootfs(id: string): string {
    return join(this.#dir(id), 'rootfs');
  }
  #bundle(id: string): string {
    return join(this.#opts.execRoot, 'bundles', id);
  }
  get #monitors(): string {
    return join(this.#opts.execRoot, 'monitors');
  }
  #runtimeOptions(record: ContainerRecord): OciRuntimeOptions {
    const binary = this.#runtimes[record.runtime];
    if (!binary) throw errorOf('invalid-argument', `unknown or invalid runtime name: ${record.runtime}`);
    return { binary, root: join(this.#opts.execRoot, 'runtime', record.runtime) };
  }
  #runtime(record: ContainerRecord): OciRuntime {
    return new OciRuntime(this.#runtimeOptions(record));
  }
  #publish(record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    const attributes: Record<string, string> = { ...(record.config.Labels ?? {}), image: record.config.Image ?? '', name: record.name.slice(1), ...extra };
    try {
      this.#opts.publish?.({ type: 'container', action, actor: { id: record.id, attributes } });
    } catch {
      // events are best effort
    }
  }
  #log(line: string): void {
    this.#opts.log?.(line);
  }
  #hostInfo(): Promise<HostInfo> {
    this.#host ??= probeHost();
    return this.#host;
  }

  /** Runs `fn` after every earlier operation on container `id` settled. */
  async #locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(id) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.#locks.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    }
  }

  // ---------------------------------------------------------------- container-store facet

  async list(opts: ListOptions = {}): Promise<Json[]> {
    const records = await this.#store.list();
    const filters = opts.filters ?? {};
    // `ancestor` values name images: resolved once here, matched by image ID below.
    const ancestors = new Map<string, string | undefined>();
    for (const ref of filters.ancestor ?? []) {
      const inspected = (await this.#opts.images.inspect(ref).catch(() => undefined)) as { Id?: string } | undefined;
      ancestors.set(ref, inspected?.Id);
    }
    const selected = filterContainers(records, {
      all: opts.all ?? false,
      limit: opts.limit ?? 0,
      filters,
      ancestorMatches: (record, ref) => ancestors.get(ref) === record.image || record.config.Image === ref,
    });
    const out: Json[] = [];
    for (const record of selected) {
      const sizes = opts.size ? await this.#sizes(record) : undefined;
      out.push(listView(sizes ? { ...record, ...sizes } : record, { size: opts.size ?? false }) as Json);
    }
    return out;
  }

  async inspect(ref: string, opts: { size?: boolean } = {}): Promise<Json> {
    const record = await this.#store.get(ref);
    const sizes = opts.size ? await this.#sizes(record) : undefined;
    return inspectView(sizes ? { ...record, ...sizes } : record, { size: opts.size ?? false, graphDriverData: await this.#graphDriverData(record) }) as Json;
  }

  async rename(ref: string, name: string): Promise<void> {
    const record = await this.#store.get(ref);
    const oldName = record.name;
    const renamed = await this.#store.rename(record.id, name);
    this.#publish(renamed, 'rename', { oldName });
  }

  async counts(): Promise<{ containers: number; running: number; paused: number; stopped: number }> {
    const records = await this.#store.list();
    let running = 0;
    let paused = 0;
    for (const r of records) {
      if (r.state.paused) paused++;
      else if (r.state.running) running++;
    }
    return { containers: records.length, running, paused, stopped: records.length - running - paused };
  }

  async #sizes(record: ContainerRecord): Promise<{ sizeRw: number; sizeRootFs: number }> {
    const usage = await this.#opts.layers.snapshots.usage(`container-${record.id}`).catch(() => ({ size: 0 }));
    const image = (await this.#opts.images.inspect(record.image).catch(() => undefined)) as { Size?: number } | undefined;
    return { sizeRw: usage.size, sizeRootFs: usage.size + (image?.Size ?? 0) };
  }

  async #graphDriverData(record: ContainerRecord): Promise<Record<string, string> | null> {
    try {
      const { upperDir, lowerDirs } = overlayDirs(await rootfsMounts(this.#opts.layers, record.id));
      return { LowerDir: lowerDirs.join(':'), MergedDir: this.#rootfs(record.id), UpperDir: upperDir, WorkDir: join(upperDir, '..', 'work') };
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- create

  async create(req: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    const trace = startTrace((l) => this.#log(l), 'create', req.name ?? '');
    const host = await this.#hostInfo();
    const normalized = normalizeCreateRequest({
      body: req.body, name: req.name ?? null, platform: req.platform ?? null, apiVersion: req.apiVersion,
      host: { ncpu: availableParallelism(), cgroupVersion: host.cgroupVersion, defaultRuntime: this.#defaultRuntime },
    });
    const { config, hostConfig, warnings } = normalized;
    const runtime = hostConfig.Runtime || this.#defaultRuntime;
    if (!this.#runtimes[runtime]) throw errorOf('invalid-argument', `unknown or invalid runtime name: ${runtime}`);
    if (!config.Image) throw errorOf('invalid-argument', 'No image specified');
    const image = (await this.#opts.images.inspect(config.Image)) as unknown as ImageInspect;
    const id = newContainerId();
    const mergedConfig = mergeImageConfig(image.Config as Partial<ContainerConfig> | null, config, { id, networkMode: hostConfig.NetworkMode ?? 'default' });
    const merged = { ...resolveCommand(null, mergedConfig), config: mergedConfig };
    const networks = await planNetworks(this.#opts.networks, hostConfig.NetworkMode ?? 'default', normalized.endpointsConfig);
    trace.mark('plan');
    const dir = this.#dir(id);
    const record = newContainerRecord({
      id,
      name: normalized.name ?? `/${id.slice(0, 12)}`,
      image: image.Id,
      path: merged.path,
      args: merged.args,
      config: merged.config,
      hostConfig: { ...hostConfig, Runtime: runtime },
      containerDir: dir,
      runtime,
    });
    const name = normalized.name ? undefined : await this.#store.reserveGeneratedName(id);
    if (networks) record.networkSettings.networks = networks;
    const toStore = name ? { ...record, name } : record;
    await mkdir(dir, { recursive: true, mode: 0o710 });
    try {
      toStore.mounts = await this.#resolveMounts(id, merged.config, hostConfig);
      trace.mark('name+mounts');
      await prepareRootfs(this.#opts.layers, id, image.RootFS?.Layers?.length ? chainId(image.RootFS.Layers) : undefined);
      trace.mark('rootfs');
      await this.#store.create(toStore);
      trace.mark('record');
    } catch (err) {
      const volumes = this.#opts.volumes;
      if (volumes) await releaseMounts(toStore.mounts as ContainerMount[], { volumes, containerId: id, removeAnonymous: true }).catch(() => undefined);
      if (name) await this.#store.releaseName(name).catch(() => undefined);
      await releaseRootfs(this.#opts.layers, id).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    this.#publish(toStore, 'create');
    trace.end();
    return { Id: id, Warnings: warnings };
  }

  // ---------------------------------------------------------------- start

  async start(ref: string): Promise<void> {
    const { id } = await this.#store.get(ref);
    await this.#locked(id, async () => {
      const record = await this.#store.get(id);
      if (record.state.removalInProgress || record.state.dead) throw errorOf('conflict', `container is marked for removal and cannot be started`);
      if (record.state.paused) throw errorOf('conflict', 'cannot start a paused container, try unpause instead');
      if (record.state.running && !record.state.restarting) throw errorOf('not-modified', 'container already started');
      this.#cancelRestart(id);
      await this.#store.update(id, resetForManualStart);
      await this.#startProcess(id);
    });
  }

  /** Mounts, writes the bundle, creates under a monitor, connects attachments, starts. Caller holds the lock. */
  async #startProcess(id: string): Promise<void> {
    const trace = startTrace((l) => this.#log(l), 'start', id);
    let record = await this.#store.get(id);
    const runtimeOptions = this.#runtimeOptions(record);
    const rootfs = this.#rootfs(id);
    let started: Awaited<ReturnType<typeof startContainer>> | undefined;
    let startedAt = new Date();
    // The network is wired (netavark: a few hundred ms) while the runtime creates the container
    // in the namespace made for it; both are done before the process starts.
    let wiring: Promise<Wired> | undefined;
    try {
      await this.#mount(id);
      trace.mark('mount');
      let netnsPath = await this.#joinedNetns(record);
      const networks = this.#opts.networks;
      if (networks && ownsSandbox(record.hostConfig.NetworkMode)) {
        netnsPath = (await networks.createSandbox(id)).netnsPath;
        wiring = wireNetworks(networks, record, netnsPath);
        wiring.catch(() => undefined); // awaited below; failures are handled there
      }
      trace.mark('sandbox');
      const volumeMounts = await this.#mountVolumes(record);
      if (volumeMounts.records) {
        const mounts = volumeMounts.records;
        record = await this.#store.update(id, (r) => ({ ...r, mounts }));
      }
      const spec = await this.#spec(record, rootfs, netnsPath ? { netnsPath } : undefined, volumeMounts.mounts);
      if (volumeMounts.rootfsPropagation) spec.linux.rootfsPropagation = volumeMounts.rootfsPropagation;
      const bundle = this.#bundle(id);
      await rm(bundle, { recursive: true, force: true });
      await writeBundle(bundle, spec, { sync: false });
      // The last run's monitor deletes the container from the runtime after recording its exit.
      await waitReleased(join(this.#monitors, stateDirName(id)), id);
      if (runtimeOptions.root && existsSync(join(runtimeOptions.root, id))) await new OciRuntime(runtimeOptions).delete(id, { force: true }).catch(() => undefined);
      await rm(join(this.#monitors, stateDirName(id)), { recursive: true, force: true });
      trace.mark('spec+bundle');
      const logOpts = logOptions(record);
      started = await startContainer({
        id,
        bundle,
        stateDir: this.#monitors,
        logPath: record.logPath,
        ...logOpts,
        tty: record.config.Tty ?? false,
        stdin: record.config.OpenStdin ?? false,
        stdinOnce: record.config.StdinOnce ?? false,
        runtime: runtimeOptions,
      });
      trace.mark('monitor+create');
      if (wiring) {
        const wired = await wiring;
        record = await this.#store.update(id, (r) => ({ ...r, networkSettings: wired.settings }));
        await this.#writeFiles(record, wired);
        for (const [name, ep] of Object.entries(wired.settings.networks)) this.#publishNetwork(ep.NetworkID, name, id, 'connect');
      }
      trace.mark('network');
      const pending = [...(this.#pending.get(id) ?? [])];
      this.#pending.delete(id);
      await Promise.all(pending.map((a) => a.connect(started!.attachSocket)));
      trace.mark('attach');
      startedAt = new Date();
      await new OciRuntime(runtimeOptions).start(id);
      trace.mark('runtime-start');
    } catch (err) {
      trace.end('failed');
      if (started) await new OciRuntime(runtimeOptions).delete(id, { force: true }).catch(() => undefined);
      await this.#unmount(id).catch(() => undefined);
      if (wiring) {
        await wiring.catch(() => undefined);
        await this.#unwire(id).catch((e: unknown) => this.#log(`container ${id}: network teardown: ${String(e)}`));
      }
      await this.#unmountVolumes(id).catch((e: unknown) => this.#log(`container ${id}: volume unmount: ${String(e)}`));
      const message = err instanceof Error ? err.message : String(err);
      record = await this.#store.update(id, (r) => setStartFailed(r, message, /not found|no such file/i.test(message) ? 127 : /permission denied/i.test(message) ? 126 : 128));
      for (const a of this.#pending.get(id) ?? []) a.finish();
      this.#pending.delete(id);
      this.#wake(this.#exitWaiters, id, record.state.exitCode);
      if (record.hostConfig.AutoRemove) void this.#autoRemove(id);
      throw isKind(err, 'internal') ? errorOf('invalid-argument', message, err) : err;
    }
    record = await this.#store.update(id, (r) => setRunning(r, started!.pid, startedAt));
    this.#watch(id, { pid: started.pid, monitorPid: started.monitorPid, attachSocket: started.attachSocket, exitFile: started.exitFile, stateDir: started.stateDir });
    this.#publish(record, 'start');
    trace.mark('record');
    trace.end();
  }

  /** /etc/hostname, /etc/hosts and /etc/resolv.conf; written again in place once the network gave addresses. */
  async #writeFiles(record: ContainerRecord, net?: Partial<Wired>): Promise<void> {
    await writeContainerFiles(record, {
      ...(net?.addresses ? { addresses: net.addresses } : {}),
      ...(net?.dns ? { internalDns: net.dns } : {}),
      hostname: record.config.Hostname || record.id.slice(0, 12),
      ...(record.config.Domainname ? { domainname: record.config.Domainname } : {}),
      networkMode: record.hostConfig.NetworkMode ?? 'default',
      extraHosts: record.hostConfig.ExtraHosts ?? null,
      dns: record.hostConfig.Dns ?? null,
      dnsSearch: record.hostConfig.DnsSearch ?? null,
      dnsOptions: record.hostConfig.DnsOptions ?? null,
    });
  }

  async #spec(record: ContainerRecord, rootfs: string, net?: Partial<Wired>, mounts?: SpecMount[]): Promise<RuntimeSpec> {
    const host = await this.#hostInfo();
    await this.#writeFiles(record, net);
    const opts: ContainerOptions = {
      Entrypoint: [record.path],
      Cmd: record.args,
      Env: record.config.Env ?? [],
      WorkingDir: record.config.WorkingDir ?? '',
      User: record.config.User ?? '',
      Hostname: record.config.Hostname ?? '',
      Domainname: record.config.Domainname ?? '',
      Tty: record.config.Tty ?? false,
      OpenStdin: record.config.OpenStdin ?? false,
      HostConfig: record.hostConfig as ContainerOptions['HostConfig'],
    };
    const user = opts.User && !/^\d+(:\d+)?$/.test(opts.User) ? await resolveUser(rootfs, opts.User) : undefined;
    const spec = buildSpec({ config: {} }, opts, {
      id: record.id,
      rootfs,
      host,
      hostsPath: record.hostsPath,
      resolvConfPath: record.resolvConfPath,
      hostnamePath: record.hostnamePath,
      ...(net?.netnsPath ? { netnsPath: net.netnsPath } : {}),
      ...(mounts?.length ? { mounts } : {}),
      ...(user ? { user } : {}),
      ...(record.hostConfig.Privileged ? { hostDevices: await listHostDevices() } : {}),
    });
    // API 1.42+: the terminal has its size from the start (no race with the first resize).
    const size = record.hostConfig.ConsoleSize;
    if (opts.Tty && size && size[0] > 0 && size[1] > 0) (spec.process as { consoleSize?: unknown }).consoleSize = { height: size[0], width: size[1] };
    return spec;
  }

  /** At create: the container's volumes and binds, volumes created and held. */
  async #resolveMounts(id: string, config: ContainerConfig, hostConfig: ContainerRecord['hostConfig']): Promise<ContainerMount[]> {
    const wanted = Object.keys(config.Volumes ?? {}).length + (hostConfig.Binds?.length ?? 0) + (hostConfig.Mounts?.length ?? 0) + (hostConfig.VolumesFrom?.length ?? 0);
    if (wanted === 0) return [];
    const volumes = this.#opts.volumes;
    if (!volumes) throw errorOf('not-implemented', 'volumes and bind mounts need the volume service, which this engine lacks');
    const plan = await planMounts({
      config,
      hostConfig,
      volumesFrom: async (ref) => (await this.#store.find(ref).catch(() => undefined))?.mounts ?? null,
    });
    return resolveMounts(plan, { volumes, containerId: id });
  }

  /** At start (rootfs mounted): the volumes mounted, image content copied into new ones, OCI mounts. */
  async #mountVolumes(record: ContainerRecord): Promise<{ mounts?: SpecMount[]; records?: ContainerMount[]; rootfsPropagation?: string }> {
    const volumes = this.#opts.volumes;
    if (!volumes || record.mounts.length === 0) return {};
    const made = await specMounts(record.mounts as ContainerMount[], { volumes, containerId: record.id, rootfs: this.#rootfs(record.id), tmpfs: record.hostConfig.Tmpfs ?? null });
    this.#volumeReleases.set(record.id, made.release);
    return { mounts: made.mounts, records: made.records, ...(made.rootfsPropagation ? { rootfsPropagation: made.rootfsPropagation } : {}) };
  }

  /** At exit: the run's volumes unmounted (after an engine restart, from the record). */
  async #unmountVolumes(id: string, record?: ContainerRecord): Promise<void> {
    const release = this.#volumeReleases.get(id);
    this.#volumeReleases.delete(id);
    if (release) return release();
    const volumes = this.#opts.volumes;
    if (!volumes || !record) return;
    for (const m of record.mounts) if (m.Type === 'volume' && m.Name) await volumes.unmount(m.Name, id).catch(() => undefined);
  }

  /** The namespace of `container:<ref>` mode: the other container's, which must be running. */
  async #joinedNetns(record: ContainerRecord): Promise<string | undefined> {
    const mode = record.hostConfig.NetworkMode ?? '';
    if (!mode.startsWith('container:')) return undefined;
    const other = await this.#store.get(mode.slice('container:'.length));
    if (other.id === record.id) throw errorOf('invalid-argument', 'cannot join own network');
    if (!other.state.running) throw errorOf('conflict', `cannot join network namespace of a non running container: ${other.id}`);
    if (other.networkSettings.sandboxKey) return other.networkSettings.sandboxKey;
    if ((other.hostConfig.NetworkMode ?? '') === 'host') throw errorOf('not-implemented', 'joining the namespace of a host-networked container is not supported');
    return `/proc/${other.state.pid}/ns/net`;
  }

  /** Leaves every network and removes the container's namespace; the record keeps what the user asked. */
  async #unwire(id: string): Promise<void> {
    const networks = this.#opts.networks;
    const record = await this.#store.find(id);
    if (!networks || !record || !ownsSandbox(record.hostConfig.NetworkMode)) return;
    const wasWired = record.networkSettings.sandboxKey !== '';
    const settings = await unwireNetworks(networks, record);
    await this.#store.update(id, (r) => ({ ...r, networkSettings: settings }));
    if (wasWired) for (const [name, ep] of Object.entries(record.networkSettings.networks)) this.#publishNetwork(ep.NetworkID, name, id, 'disconnect');
  }

  #publishNetwork(networkId: string, name: string, containerId: string, action: string): void {
    try {
      this.#opts.publish?.({ type: 'network', action, actor: { id: networkId, attributes: { container: containerId, name, type: 'bridge' } } });
    } catch {
      // events are best effort
    }
  }

  // ---------------------------------------------------------------- network connect / disconnect

  async networkConnect(ref: string, network: string, endpoint: Json): Promise<void> {
    const networks = this.#opts.networks;
    if (!networks) throw errorOf('not-implemented', 'no networks in this engine');
    const { id } = await this.#store.get(ref);
    await this.#locked(id, async () => {
      const record = await this.#store.get(id);
      if (!ownsSandbox(record.hostConfig.NetworkMode)) {
        throw errorOf('invalid-argument', `container sharing network namespace with another container or host cannot be connected to any other network`);
      }
      const net = await networks.inspect(network);
      if (record.networkSettings.networks[net.Name]) throw errorOf('permission-denied', `endpoint with name ${record.name.slice(1)} already exists in network ${net.Name}`);
      const asked = (endpoint && typeof endpoint === 'object' && !Array.isArray(endpoint) ? endpoint : {}) as Parameters<typeof requestedEndpoint>[0] & object;
      if (net.Name === DEFAULT_NETWORK) refuseOnDefaultBridge(asked);
      let ep = requestedEndpoint(asked, net.Id);
      if (record.state.running && record.networkSettings.sandboxKey) {
        const result = await networks.connect(
          {
            containerId: id, containerName: record.name.slice(1), hostname: record.config.Hostname || id.slice(0, 12), netnsPath: record.networkSettings.sandboxKey,
            ...(record.hostConfig.Dns?.length ? { dnsServers: [...record.hostConfig.Dns] } : {}),
          },
          { network: net.Id, aliases: ep.Aliases, ...(ep.IPAMConfig?.IPv4Address ? { ipv4Address: ep.IPAMConfig.IPv4Address } : {}), ...(ep.MacAddress ? { macAddress: ep.MacAddress } : {}) },
        );
        ep = { ...result.endpoint, IPAMConfig: ep.IPAMConfig, Aliases: ep.Aliases ?? result.endpoint.Aliases, ...(ep.DesiredMacAddress ? { DesiredMacAddress: ep.DesiredMacAddress } : {}) };
        this.#publishNetwork(net.Id, net.Name, id, 'connect');
      }
      const connected = ep;
      await this.#store.update(id, (r) => ({ ...r, networkSettings: { ...r.networkSettings, networks: { ...r.networkSettings.networks, [net.Name]: connected } } }));
    });
  }

  async networkDisconnect(ref: string, network: string, opts: { force?: boolean } = {}): Promise<void> {
    const networks = this.#opts.networks;
    if (!networks) throw errorOf('not-implemented', 'no networks in this engine');
    const { id } = await this.#store.get(ref);
    await this.#locked(id, async () => {
      const record = await this.#store.get(id);
      const net = await networks.inspect(network).catch((err: unknown) => {
        if (opts.force && isKind(err, 'not-found')) return undefined;
        throw err;
      });
      const name = net?.Name ?? network;
      const ep = record.networkSettings.networks[name];
      if (!ep) throw errorOf('permission-denied', `container ${id} is not connected to network ${name}`);
      if (record.state.running && record.networkSettings.sandboxKey) {
        await networks.disconnect(id, net?.Id ?? ep.NetworkID);
        this.#publishNetwork(ep.NetworkID, name, id, 'disconnect');
      }
      await this.#store.update(id, (r) => {
        const rest = { ...r.networkSettings.networks };
        delete rest[name];
        return { ...r, networkSettings: { ...r.networkSettings, networks: rest } };
      });
    });
  }

  async #mount(id: string): Promise<void> {
    const count = this.#mounts.get(id) ?? 0;
    if (count === 0) await mountRootfs(this.#opts.layers, id, this.#rootfs(id));
    this.#mounts.set(id, count + 1);
  }

  async #unmount(id: string): Promise<void> {
    const count = this.#mounts.get(id) ?? 0;
    if (count <= 1) {
      this.#mounts.delete(id);
      await unmountRootfs(this.#rootfs(id));
    } else this.#mounts.set(id, count - 1);
  }

  /** Runs `fn` on the container's mounted root filesystem (mounted for the while when stopped). */
  async #withRootfs<T>(id: string, fn: (root: string) => Promise<T>): Promise<T> {
    await this.#mount(id);
    try {
      return await fn(this.#rootfs(id));
    } finally {
      await this.#unmount(id).catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- exits

  #watch(id: string, live: Omit<Live, 'exited' | 'watch' | 'startedMs'>): void {
    const watch = new AbortController();
    const exited = waitExit(live.exitFile, watch.signal).then(
      (exit) => this.#locked(id, () => this.#onExit(id, exit)),
      () => undefined,
    );
    this.#live.set(id, { ...live, startedMs: Date.now(), exited, watch });
  }

  /**
   * Records an exit; caller holds the lock. The monitor deleted the runtime's container before
   * it wrote the exit record; `deleteRuntime` is for exits learnt without a monitor.
   */
  async #onExit(id: string, exit: ExitRecord, deleteRuntime = false): Promise<void> {
    const trace = startTrace((l) => this.#log(l), 'exit', id);
    const live = this.#live.get(id);
    this.#live.delete(id);
    let record = await this.#store.find(id);
    if (!record) return;
    if (deleteRuntime) await this.#runtime(record).delete(id, { force: true }).catch(() => undefined);
    await this.#unmount(id).catch((err: unknown) => this.#log(`container ${id}: unmount: ${String(err)}`));
    trace.mark('unmount');
    await this.#unwire(id).catch((err: unknown) => this.#log(`container ${id}: network teardown: ${String(err)}`));
    trace.mark('unwire');
    await this.#unmountVolumes(id, record).catch((err: unknown) => this.#log(`container ${id}: volume unmount: ${String(err)}`));
    if (live) await rm(live.stateDir, { recursive: true, force: true }).catch(() => undefined);
    trace.mark('volumes+files');
    // The exit can be stamped (by the monitor) a hair before the engine stamped the start.
    const exitedAt = new Date(Math.max(Date.parse(exit.finishedAt) || Date.now(), Date.parse(record.state.startedAt) || 0));
    const previous = this.#backoff.get(id) ?? 0;
    record = await this.#store.update(id, (r) => setStopped(r, { exitCode: exit.exitCode, exitedAt }));
    this.#publish(record, 'die', { exitCode: String(exit.exitCode), execDuration: String(Math.max(0, Math.round(((live ? Date.now() - live.startedMs : 0)) / 1000))) });
    this.#wake(this.#exitWaiters, id, exit.exitCode);
    trace.mark('record');
    trace.end();
    if (record.hostConfig.AutoRemove) {
      void this.#autoRemove(id);
      return;
    }
    const decision = decideRestart(record.hostConfig.RestartPolicy, exitFactsOf(record, previous, this.#closing));
    if (!decision.restart) return;
    this.#backoff.set(id, decision.backoffMs);
    record = await this.#store.update(id, (r) => setRestarting(r, { exitCode: exit.exitCode, exitedAt }));
    const timer = setTimeout(() => {
      this.#restartTimers.delete(id);
      void this.#locked(id, async () => {
        const current = await this.#store.find(id);
        if (!current?.state.restarting || this.#closing) return;
        await this.#startProcess(id).catch((err: unknown) => this.#log(`container ${id}: restart failed: ${String(err)}`));
      });
    }, decision.delayMs);
    timer.unref();
    this.#restartTimers.set(id, timer);
  }

  #cancelRestart(id: string): void {
    const timer = this.#restartTimers.get(id);
    if (timer) clearTimeout(timer);
    this.#restartTimers.delete(id);
  }

  async #autoRemove(id: string): Promise<void> {
    await this.remove(id, { force: true }).catch((err: unknown) => {
      if (!isKind(err, 'not-found') && !isKind(err, 'conflict')) this.#log(`container ${id}: auto-remove: ${String(err)}`);
    });
  }

  #wake(map: Map<string, Set<(code: number) => void>>, id: string, code: number): void {
    const waiters = map.get(id);
    map.delete(id);
    for (const w of waiters ?? []) w(code);
  }

  #onNext(map: Map<string, Set<(code: number) => void>>, id: string, signal?: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      let set = map.get(id);
      if (!set) map.set(id, (set = new Set()));
      const waiter = (code: number) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(code);
      };
      const onAbort = () => {
        set!.delete(waiter);
        reject(errorOf('cancelled', 'context canceled'));
      };
      set.add(waiter);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---------------------------------------------------------------- stop, kill, restart

  async stop(ref: string, opts: StopOptions = {}): Promise<void> {
    const { id } = await this.#store.get(ref);
    const record = await this.#store.get(id);
    if (!record.state.running) throw errorOf('not-modified', 'container already stopped');
    if (record.state.restarting) {
      this.#cancelRestart(id);
      await this.#locked(id, async () => {
        const r = await this.#store.update(id, (x) => setManuallyStopped(setStopped(x, { exitCode: x.state.exitCode }), true));
        this.#publish(r, 'stop');
      });
      return;
    }
    await this.#store.update(id, (r) => setManuallyStopped(r, true));
    await this.#stopProcess(id, opts);
    this.#publish(await this.#store.get(id), 'stop');
  }

  /** Sends the stop signal, waits the timeout, then kills. Resolves once the exit is recorded. */
  async #stopProcess(id: string, opts: StopOptions = {}): Promise<void> {
    const record = await this.#store.get(id);
    const live = this.#live.get(id);
    if (!live) return;
    const signal = opts.signal ? parseKillSignal(opts.signal) : stopSignalOf(record.config.StopSignal);
    const timeoutS = opts.timeout ?? record.config.StopTimeout ?? STOP_DEFAULT_TIMEOUT_S;
    const runtime = this.#runtime(record);
    await this.#signal(record, signal).catch(() => undefined);
    if (record.state.paused) await runtime.resume(id).catch(() => undefined);
    if (timeoutS < 0) {
      await live.exited;
      return;
    }
    const gone = await Promise.race([live.exited.then(() => true), delay(timeoutS * 1000).then(() => false)]);
    if (gone) return;
    await this.#signal(record, 9).catch(() => undefined);
    await live.exited;
  }

  async #signal(record: ContainerRecord, signal: number): Promise<void> {
    // Through the monitor (no runtime process, no pid race). SIGKILL of the init ends every
    // process of the container's own PID namespace; one sharing the host's needs the
    // runtime's `kill --all`, as does a monitor without the control socket.
    const sharesHostPids = record.hostConfig.PidMode === 'host';
    let sent = false;
    if (!(signal === 9 && sharesHostPids)) {
      try {
        const result = await signalThroughMonitor(join(this.#monitors, stateDirName(record.id)), signal);
        if (result === 'not-running') throw errorOf('conflict', `Cannot kill container: ${record.id}: Container ${record.id} is not running`);
        sent = true;
      } catch (err) {
        if (!isKind(err, 'unavailable')) throw err;
      }
    }
    if (!sent) await this.#runtime(record).kill(record.id, signal, { all: signal === 9 });
    this.#publish(record, 'kill', { signal: String(signal) });
  }

  async kill(ref: string, signalText?: string): Promise<void> {
    const record = await this.#store.get(ref);
    const signal = parseKillSignal(signalText);
    if (!record.state.running || !this.#live.has(record.id)) throw errorOf('conflict', `Cannot kill container: ${ref}: Container ${record.id} is not running`);
    if (signal === 9 || signal === stopSignalOf(record.config.StopSignal)) await this.#store.update(record.id, (r) => setManuallyStopped(r, true));
    await this.#signal(record, signal);
    if (signal === 9) await this.#live.get(record.id)?.exited;
  }

  async restart(ref: string, opts: StopOptions = {}): Promise<void> {
    const { id } = await this.#store.get(ref);
    const record = await this.#store.get(id);
    if (record.state.running && this.#live.has(id)) await this.#stopProcess(id, opts);
    this.#cancelRestart(id);
    await this.#locked(id, async () => {
      const current = await this.#store.update(id, resetForManualStart);
      if (current.state.running && !current.state.restarting) return;
      await this.#startProcess(id);
    });
    this.#publish(await this.#store.get(id), 'restart');
  }

  async pause(ref: string): Promise<void> {
    const { id } = await this.#store.get(ref);
    await this.#locked(id, async () => {
      const record = await this.#store.get(id);
      if (!record.state.running || !this.#live.has(id)) throw errorOf('conflict', `Container ${id} is not running`);
      if (record.state.paused) throw errorOf('conflict', `Container ${id} is already paused`);
      if (record.state.restarting) throw errorOf('conflict', `Container ${id} is restarting, wait until the container is running`);
      await this.#runtime(record).pause(id);
      this.#publish(await this.#store.update(id, setPaused), 'pause');
    });
  }

  async unpause(ref: string): Promise<void> {
    const { id } = await this.#store.get(ref);
    await this.#locked(id, async () => {
      const record = await this.#store.get(id);
      if (!record.state.paused) throw errorOf('internal', `Container ${id} is not paused`);
      await this.#runtime(record).resume(id);
      this.#publish(await this.#store.update(id, setUnpaused), 'unpause');
    });
  }

  // ---------------------------------------------------------------- wait, remove

  async wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<WaitResult> {
    const record = await this.#store.get(ref);
    const id = record.id;
    if (condition === 'removed') {
      const code = await this.#onNext(this.#removedWaiters, id, signal);
      return { StatusCode: code, Error: null };
    }
    if (condition === 'not-running' && (!record.state.running || record.state.restarting) && !this.#pending.has(id)) {
      return { StatusCode: record.state.exitCode, Error: null };
    }
    const code = await this.#onNext(this.#exitWaiters, id, signal);
    return { StatusCode: code, Error: null };
  }

  async remove(ref: string, opts: RemoveOptions = {}): Promise<void> {
    const { id } = await this.#store.get(ref);
    let record = await this.#store.get(id);
    if (record.state.removalInProgress) throw errorOf('conflict', `removal of container ${ref} is already in progress`);
    if (record.state.running && !record.state.restarting && !opts.force) {
      if (record.state.paused) throw errorOf('conflict', `cannot remove container "${record.name}": container is paused and must be unpaused first`);
      throw errorOf('conflict', `cannot remove container "${record.name}": container is running: stop the container before removing or force remove`);
    }
    this.#cancelRestart(id);
    const trace = startTrace((l) => this.#log(l), 'remove', id);
    record = await this.#store.update(id, (r) => setManuallyStopped(setRemoving(r), true));
    trace.mark('mark');
    try {
      if (this.#live.has(id)) {
        await this.#signal(record, 9).catch(() => undefined);
        if (record.state.paused) await this.#runtime(record).resume(id).catch(() => undefined);
        await this.#live.get(id)?.exited;
      }
      trace.mark('kill');
      await this.#locked(id, async () => {
        trace.mark('lock');
        await this.#unwire(id);
        while ((this.#mounts.get(id) ?? 0) > 0) await this.#unmount(id);
        await unmountRootfs(this.#rootfs(id)).catch(() => undefined);
        await this.#unmountVolumes(id).catch(() => undefined);
        if (this.#opts.volumes) await releaseMounts(record.mounts as ContainerMount[], { volumes: this.#opts.volumes, containerId: id, removeAnonymous: opts.volumes ?? false });
        trace.mark('unwire+unmount');
        // The layer store's snapshots, the bundle and the runtime's state are independent:
        // together. The container's monitor deletes it from the runtime after recording its
        // exit (waited for here); `runc delete` (a process, tens of ms) only when the runtime
        // still keeps its state (a monitor that died first). The container's own directory
        // goes once the rest is released.
        const runtimeOptions = this.#runtimeOptions(record);
        const monitorDir = join(this.#monitors, stateDirName(id));
        await Promise.all([
          releaseRootfs(this.#opts.layers, id),
          rm(this.#bundle(id), { recursive: true, force: true }),
          (async () => {
            await waitReleased(monitorDir, id);
            if (!runtimeOptions.root || existsSync(join(runtimeOptions.root, id))) {
              await new OciRuntime(runtimeOptions).delete(id, { force: true }).catch(() => undefined);
            }
            await rm(monitorDir, { recursive: true, force: true });
          })(),
        ]);
        await rm(this.#dir(id), { recursive: true, force: true });
        for (const execId of record.execIds) this.#execs.delete(execId);
        trace.mark('release-rootfs+files');
        await this.#store.delete(id);
        trace.mark('record');
      });
    } catch (err) {
      trace.end('failed');
      await this.#store.update(id, clearRemoving).catch(() => undefined);
      throw err;
    }
    trace.end();
    this.#backoff.delete(id);
    for (const a of this.#pending.get(id) ?? []) a.finish();
    this.#pending.delete(id);
    this.#publish(record, 'destroy');
    const final = await this.#exitCodeOf(record);
    this.#wake(this.#exitWaiters, id, final);
    this.#wake(this.#removedWaiters, id, final);
  }

  async #exitCodeOf(record: ContainerRecord): Promise<number> {
    return (await this.#store.find(record.id))?.state.exitCode ?? record.state.exitCode;
  }

  async prune(filters: Record<string, string[]> = {}): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const records = await this.#store.list();
    const candidates = records.filter(pruneFilter(filters));
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const record of candidates) {
      if (record.state.running) continue;
      const usage = await this.#opts.layers.snapshots.usage(`container-${record.id}`).catch(() => ({ size: 0 }));
      try {
        await this.remove(record.id, {});
        deleted.push(record.id);
        reclaimed += usage.size;
      } catch (err) {
        this.#log(`prune: container ${record.id}: ${String(err)}`);
      }
    }
    if (deleted.length > 0) this.#opts.publish?.({ type: 'container', action: 'prune', actor: { id: '', attributes: { reclaimed: String(reclaimed) } } });
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }

  async update(ref: string, body: Json): Promise<{ Warnings: string[] }> {
    const record = await this.#store.get(ref);
    const update = (body ?? {}) as Record<string, Json>;
    const resourceKeys = ['Memory', 'MemoryReservation', 'MemorySwap', 'NanoCpus', 'CpuShares', 'CpuQuota', 'CpuPeriod', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight'];
    const changes: Record<string, Json> = {};
    for (const key of resourceKeys) if (update[key] !== undefined && update[key] !== null && update[key] !== 0 && update[key] !== '') changes[key] = update[key]!;
    const policy = update.RestartPolicy as { Name?: string; MaximumRetryCount?: number } | undefined;
    if (typeof changes.Memory === 'number' && changes.Memory > 0 && changes.Memory < 6 * 1024 * 1024) throw errorOf('invalid-argument', 'Minimum memory limit allowed is 6MB');
    const next = await this.#store.update(record.id, (r) => ({
      ...r,
      hostConfig: { ...r.hostConfig, ...changes, ...(policy?.Name !== undefined && policy.Name !== '' ? { RestartPolicy: { Name: policy.Name as never, MaximumRetryCount: policy.MaximumRetryCount ?? 0 } } : {}) },
    }));
    if (next.state.running && this.#live.has(next.id) && Object.keys(changes).length > 0) {
      const spec = await this.#spec(next, this.#rootfs(next.id));
      await this.#runtime(next).update(next.id, spec.linux.resources ?? {});
    }
    this.#publish(next, 'update');
    return { Warnings: [] };
  }

  // ---------------------------------------------------------------- top, stats

  async top(ref: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    const record = await this.#store.get(ref);
    if (!record.state.running || !this.#live.has(record.id)) throw errorOf('conflict', `Container ${record.id} is not running`);
    if (record.state.restarting) throw errorOf('conflict', `Container ${record.id} is restarting, wait until the container is running`);
    const pids = await this.#runtime(record).ps(record.id);
    const result = await topProcesses({ pids, psArgs: psArgs ?? '-ef' });
    this.#publish(record, 'top');
    return result;
  }

  async *stats(ref: string, opts: StatsOptions = {}): AsyncGenerator<Json> {
    const record = await this.#store.get(ref);
    const live = this.#live.get(record.id);
    const cgroupPath = `${record.hostConfig.CgroupParent || '/moby'}/${record.id}`;
    if (!live) {
      yield emptyStats(record.id, record.name);
      return;
    }
    yield* statsStream({ id: record.id, name: record.name, cgroupPath, pid: live.pid }, { stream: opts.stream ?? false, oneShot: opts.oneShot ?? false, ...(opts.signal ? { signal: opts.signal } : {}) }) as AsyncIterable<Json>;
  }

  // ---------------------------------------------------------------- attach

  async attach(ref: string, opts: AttachOptions, input: AsyncIterable<AttachInput> | undefined): Promise<AttachSession> {
    const record = await this.#store.get(ref);
    const tty = record.config.Tty ?? false;
    const stdin = (opts.stdin ?? false) && (record.config.OpenStdin ?? false);
    const replay = opts.logs ? this.#replay(record, opts, tty) : undefined;
    const attachment = new Attachment(
      {
        stdin, stdout: opts.stdout ?? false, stderr: opts.stderr ?? false, tty,
        onStdinEnd: record.config.StdinOnce && !tty ? 'close' : 'detach', ...(replay ? { replay } : {}),
      },
      input,
      (a) => this.#pending.get(record.id)?.delete(a),
    );
    this.#publish(record, 'attach');
    if (!opts.stream) {
      attachment.finish();
      return attachment;
    }
    const live = this.#live.get(record.id);
    if (live) await attachment.connect(live.attachSocket);
    else {
      let set = this.#pending.get(record.id);
      if (!set) this.#pending.set(record.id, (set = new Set()));
      set.add(attachment);
    }
    return attachment;
  }

  async *#replay(record: ContainerRecord, opts: AttachOptions, tty: boolean): AsyncGenerator<Uint8Array> {
    for await (const batch of readLogs(record.logPath).batches()) {
      const out: Buffer[] = [];
      for (const e of batch) {
        if ((e.stream === 'stdout' && !opts.stdout) || (e.stream === 'stderr' && !opts.stderr)) continue;
        out.push(tty ? e.line : encodeFrame(e.stream === 'stdout' ? 1 : 2, e.line));
      }
      if (out.length) yield Buffer.concat(out);
    }
  }

  async resize(ref: string, height: number, width: number): Promise<void> {
    const record = await this.#store.get(ref);
    const live = this.#live.get(record.id);
    if (!record.state.running || !live) throw errorOf('conflict', `Container ${record.id} is not running`);
    const session = await connectMonitor(live.attachSocket);
    try {
      session.resize(height, width);
      await new Promise<void>((resolve) => session.socket.end(resolve));
    } finally {
      session.close();
    }
    this.#publish(record, 'resize', { height: String(height), width: String(width) });
  }

  // ---------------------------------------------------------------- exec

  async execCreate(ref: string, body: Json): Promise<{ Id: string }> {
    const record = await this.#store.get(ref);
    if (!record.state.running || !this.#live.has(record.id)) throw errorOf('conflict', `Container ${record.id} is not running`);
    if (record.state.paused) throw errorOf('conflict', `Container ${record.id} is paused, unpause the container before exec`);
    if (record.state.restarting) throw errorOf('conflict', `Container ${record.id} is restarting, wait until the container is running`);
    const b = (body ?? {}) as Record<string, unknown>;
    const cmd = Array.isArray(b.Cmd) ? (b.Cmd as string[]) : typeof b.Cmd === 'string' ? [b.Cmd] : [];
    if (cmd.length === 0) throw errorOf('invalid-argument', 'No exec command specified');
    const id = randomBytes(32).toString('hex');
    const exec: ExecInstance = {
      id,
      containerId: record.id,
      config: {
        Cmd: cmd,
        Env: Array.isArray(b.Env) ? (b.Env as string[]) : [],
        User: typeof b.User === 'string' ? b.User : '',
        WorkingDir: typeof b.WorkingDir === 'string' ? b.WorkingDir : '',
        Tty: b.Tty === true,
        AttachStdin: b.AttachStdin === true,
        AttachStdout: b.AttachStdout === true,
        AttachStderr: b.AttachStderr === true,
        Privileged: b.Privileged === true,
        DetachKeys: typeof b.DetachKeys === 'string' ? b.DetachKeys : '',
        ConsoleSize: Array.isArray(b.ConsoleSize) && b.ConsoleSize.length === 2 ? (b.ConsoleSize as [number, number]) : null,
      },
      running: false,
      started: false,
      exitCode: null,
      pid: 0,
    };
    this.#execs.set(id, exec);
    await this.#store.update(record.id, (r) => ({ ...r, execIds: [...r.execIds, id] }));
    this.#publish(record, `exec_create: ${cmd.join(' ')}`, { execID: id });
    return { Id: id };
  }

  #exec(execId: string): ExecInstance {
    const exec = this.#execs.get(execId);
    if (!exec) throw errorOf('not-found', `No such exec instance: ${execId}`);
    return exec;
  }

  async execStart(execId: string, opts: ExecStartOptions, input: AsyncIterable<AttachInput> | undefined): Promise<AttachSession> {
    const exec = this.#exec(execId);
    if (exec.started) throw errorOf('conflict', `Error: Exec command ${execId} has already run`);
    const trace = startTrace((l) => this.#log(l), 'exec', execId);
    const record = await this.#store.get(exec.containerId);
    const live = this.#live.get(record.id);
    if (!record.state.running || !live) throw errorOf('conflict', `Container ${record.id} is not running`);
    if (record.state.paused) throw errorOf('conflict', `Container ${record.id} is paused, unpause the container before exec`);
    exec.started = true;
    const tty = opts.tty ?? exec.config.Tty;
    const detach = opts.detach ?? false;
    const consoleSize = opts.consoleSize ?? exec.config.ConsoleSize ?? undefined;
    const process = await this.#execProcess(record, exec, tty, consoleSize);
    trace.mark('process');
    let started: Awaited<ReturnType<typeof startExec>>;
    try {
      started = await startExec({
        id: record.id, execId, process, stateDir: this.#monitors, tty, stdin: exec.config.AttachStdin && !detach, stdinOnce: true,
        waitAttach: !detach, runtime: this.#runtimeOptions(record),
      });
    } catch (err) {
      trace.end('failed');
      exec.exitCode = 126;
      throw err;
    }
    trace.mark('monitor');
    exec.running = true;
    exec.attachSocket = started.attachSocket;
    if (started.pid) exec.pid = started.pid;
    this.#publish(record, `exec_start: ${exec.config.Cmd.join(' ')}`, { execID: execId });
    let recorded = false;
    const record_ = (exit: ExitRecord) => {
      if (recorded) return;
      recorded = true;
      trace.mark('run+exit');
      trace.end();
      exec.running = false;
      exec.exitCode = exit.error ? 126 : exit.exitCode;
      exec.pid = 0;
      this.#publish(record, 'exec_die', { execID: execId, exitCode: String(exec.exitCode) });
      void rm(started.stateDir, { recursive: true, force: true }).catch(() => undefined);
    };
    void waitExit(started.exitFile).then(record_, () => undefined);
    const attachment = new Attachment(
      {
        stdin: exec.config.AttachStdin, stdout: exec.config.AttachStdout, stderr: exec.config.AttachStderr, tty, onStdinEnd: 'close',
        // The monitor writes the exit record before it closes its clients: read it at EOF. An
        // exec the runtime could not start ends with dockerd's words for it, on stdout
        // (`OCI runtime exec failed: exec failed: … executable file not found in $PATH: unknown`).
        beforeEnd: async () => {
          const exit = await readExitRecord(started.exitFile);
          if (!exit) return undefined;
          record_(exit);
          if (!exit.error || !exec.config.AttachStdout) return undefined;
          const text = `OCI runtime exec failed: ${runtimeMessage(exit.error) || exit.error}: unknown\r\n`;
          return tty ? Buffer.from(text) : encodeFrame(STREAM_STDOUT, text);
        },
      },
      input,
    );
    if (detach) attachment.finish();
    else await attachment.connect(started.attachSocket);
    trace.mark('attach');
    return attachment;
  }

  async #execProcess(record: ContainerRecord, exec: ExecInstance, tty: boolean, consoleSize: [number, number] | undefined): Promise<Record<string, unknown> & { args: string[]; cwd: string }> {
    const spec = JSON.parse(await readFile(join(this.#bundle(record.id), 'config.json'), 'utf8')) as RuntimeSpec;
    const base = spec.process;
    const user = exec.config.User
      ? /^\d+(:\d+)?$/.test(exec.config.User)
        ? { uid: Number(exec.config.User.split(':')[0]), gid: Number(exec.config.User.split(':')[1] ?? 0) }
        : await resolveUser(this.#rootfs(record.id), exec.config.User)
      : base.user;
    const process: Record<string, unknown> & { args: string[]; cwd: string } = {
      ...base,
      args: exec.config.Cmd,
      env: replaceOrAppendEnv(base.env ?? [], exec.config.Env),
      cwd: exec.config.WorkingDir || base.cwd || '/',
      user,
      terminal: tty,
    };
    if (consoleSize) process.consoleSize = { height: consoleSize[0], width: consoleSize[1] };
    if (exec.config.Privileged && base.capabilities) {
      const all = [...(await this.#hostInfo()).capabilities];
      if (all.length) process.capabilities = { bounding: all, effective: all, permitted: all };
    }
    return process;
  }

  async execInspect(execId: string): Promise<Json> {
    const exec = this.#exec(execId);
    return {
      ID: exec.id,
      Running: exec.running,
      ExitCode: exec.exitCode,
      ProcessConfig: {
        tty: exec.config.Tty,
        entrypoint: exec.config.Cmd[0] ?? '',
        arguments: exec.config.Cmd.slice(1),
        privileged: exec.config.Privileged,
        ...(exec.config.User ? { user: exec.config.User } : {}),
      },
      OpenStdin: exec.config.AttachStdin,
      OpenStderr: exec.config.AttachStderr,
      OpenStdout: exec.config.AttachStdout,
      CanRemove: false,
      ContainerID: exec.containerId,
      DetachKeys: exec.config.DetachKeys,
      Pid: exec.pid,
    };
  }

  async execResize(execId: string, height: number, width: number): Promise<void> {
    const exec = this.#exec(execId);
    if (!exec.running || !exec.attachSocket) throw errorOf('conflict', `Exec ${execId} is not running`);
    const session = await connectMonitor(exec.attachSocket);
    try {
      session.resize(height, width);
      await new Promise<void>((resolve) => session.socket.end(resolve));
    } finally {
      session.close();
    }
  }

  // ---------------------------------------------------------------- rootfs facet

  /**
   * The root `docker cp` sees: a running container's own view (`/proc/<pid>/root`: its volumes,
   * binds and /etc files included, paths still resolved inside it), else its filesystem.
   */
  #liveRoot(record: ContainerRecord): string | undefined {
    if (!record.state.running || record.state.paused || record.state.pid <= 0) return undefined;
    const root = `/proc/${record.state.pid}/root`;
    return existsSync(root) ? root : undefined;
  }

  async archiveStat(ref: string, path: string): Promise<PathStat> {
    const record = await this.#store.get(ref);
    const live = this.#liveRoot(record);
    if (live) return statPath(live, path, { container: ref });
    return this.#withRootfs(record.id, (root) => statPath(root, path, { container: ref }));
  }

  async archiveGet(ref: string, path: string): Promise<{ stat: PathStat; data: AsyncIterable<Uint8Array> }> {
    const record = await this.#store.get(ref);
    const live = this.#liveRoot(record);
    if (live) {
      const { stat: s, stream } = await archivePath(live, path, { container: ref });
      return { stat: s, data: stream };
    }
    await this.#mount(record.id);
    try {
      const { stat: s, stream } = await archivePath(this.#rootfs(record.id), path, { container: ref });
      const unmount = () => this.#unmount(record.id).catch(() => undefined);
      return { stat: s, data: releasing(stream, unmount) };
    } catch (err) {
      await this.#unmount(record.id).catch(() => undefined);
      throw err;
    }
  }

  async archivePut(ref: string, path: string, data: AsyncIterable<Uint8Array>, opts: ArchivePutOptions = {}): Promise<void> {
    const record = await this.#store.get(ref);
    if (record.hostConfig.ReadonlyRootfs) throw errorOf('permission-denied', 'container rootfs is marked read-only');
    const extract = (root: string) =>
      extractArchive(root, path, data, { container: ref, noOverwriteDirNonDir: opts.noOverwriteDirNonDir ?? false, copyUIDGID: opts.copyUIDGID ?? false, ...(record.config.User ? { user: record.config.User } : {}) });
    const live = this.#liveRoot(record);
    await (live ? extract(live) : this.#withRootfs(record.id, extract));
    this.#publish(record, 'extract-to-dir');
  }

  async diff(ref: string): Promise<Json> {
    const record = await this.#store.get(ref);
    const dirs = overlayDirs(await rootfsMounts(this.#opts.layers, record.id));
    const changes = await diffChanges(dirs);
    return changes.length ? (changes as unknown as Json) : null;
  }

  async *export(ref: string): AsyncGenerator<Uint8Array> {
    const record = await this.#store.get(ref);
    await this.#mount(record.id);
    try {
      this.#publish(record, 'export');
      yield* exportRootfs(this.#rootfs(record.id)) as AsyncIterable<Uint8Array>;
    } finally {
      await this.#unmount(record.id).catch(() => undefined);
    }
  }

  async commit(ref: string, opts: CommitOptions): Promise<{ Id: string }> {
    const record = await this.#store.get(ref);
    const pause = (opts.pause ?? true) && record.state.running && !record.state.paused && this.#live.has(record.id);
    const runtime = this.#runtime(record);
    if (pause) await runtime.pause(record.id);
    try {
      const dirs = overlayDirs(await rootfsMounts(this.#opts.layers, record.id));
      const layer = layerFromUpper(dirs);
      const { id } = await this.#opts.images.commit(layer.stream, {
        parent: record.image,
        containerId: record.id,
        containerConfig: record.config as unknown as Json,
        ...(opts.comment ? { comment: opts.comment } : {}),
        ...(opts.author ? { author: opts.author } : {}),
        ...(opts.changes?.length ? { changes: opts.changes } : {}),
        ...(opts.config !== undefined ? { config: opts.config } : {}),
        ...(opts.repo ? { repo: opts.repo } : {}),
        ...(opts.tag ? { tag: opts.tag } : {}),
      });
      this.#publish(record, 'commit', { comment: opts.comment ?? '', imageID: id, imageRef: opts.repo ? `${opts.repo}:${opts.tag || 'latest'}` : '' });
      return { Id: id };
    } finally {
      if (pause) await runtime.resume(record.id).catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- logs

  async logs(ref: string, opts: LogsOptions): Promise<LogsResult> {
    const record = await this.#store.get(ref);
    if (!opts.stdout && !opts.stderr) throw errorOf('invalid-argument', 'Bad parameters: you must choose at least one stream');
    const logType = record.hostConfig.LogConfig?.Type ?? 'json-file';
    if (logType !== 'json-file' && logType !== '') throw errorOf('not-implemented', `configured logging driver does not support reading`);
    const live = this.#live.get(record.id);
    const follow = (opts.follow ?? false) && !!live && record.state.running;
    const reader = readLogs(record.logPath, {
      tail: opts.tail ?? 'all',
      ...(opts.sinceNanos ? { since: opts.sinceNanos } : {}),
      ...(opts.untilNanos ? { until: opts.untilNanos } : {}),
      follow,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(follow && live ? { followUntil: live.exited } : {}),
    });
    const wantOut = opts.stdout ?? false;
    const wantErr = opts.stderr ?? false;
    const coalesce = opts.coalesce ?? false;
    const entries = (async function* (): AsyncGenerator<LogEntry[]> {
      try {
        for await (const batch of reader.batches()) {
          const picked = batch.filter((e) => (e.stream === 'stdout' ? wantOut : wantErr));
          if (picked.length) yield coalesce ? coalesceRuns(picked) : picked.map((e) => ({ stream: e.stream, line: e.line, time: e.time }));
        }
      } catch (err) {
        if (isKind(err, 'not-found')) return;
        throw err;
      }
    })();
    return { tty: record.config.Tty ?? false, entries };
  }

  // ---------------------------------------------------------------- recovery and shutdown

  /**
   * Finds the containers that were running when this engine (or component) last stopped:
   * live monitors are watched again; containers whose monitor finished meanwhile get their
   * exit recorded; containers that should run by their restart policy are started.
   */
  async recover(): Promise<void> {
    const found = new Map((await reattach(this.#monitors)).map((c) => [c.record.id, c]));
    for (const record of await this.#store.list()) {
      const id = record.id;
      const monitor = found.get(id);
      found.delete(id);
      if (record.state.removalInProgress) await this.#store.update(id, clearRemoving).catch(() => undefined);
      if (monitor?.monitorAlive && record.state.running) {
        this.#mounts.set(id, 1);
        this.#watch(id, { pid: monitor.record.pid || record.state.pid, monitorPid: monitor.record.monitorPid, attachSocket: monitor.record.attachSocket, exitFile: monitor.record.exitFile, stateDir: monitor.record.dir });
        for (const e of monitor.execs) if (e.monitorAlive) this.#log(`container ${id}: exec ${e.record.execId} still runs (not tracked after restart)`);
        continue;
      }
      if (record.state.running || record.state.restarting) {
        const exit = monitor ? await readExitRecord(monitor.record.exitFile) : undefined;
        this.#mounts.set(id, existsSync(join(this.#rootfs(id))) ? 1 : 0);
        if (!monitor?.monitorAlive && !exit) await this.#runtime(record).kill(id, 9, { all: true }).catch(() => undefined);
        await this.#locked(id, () => this.#onExit(id, exit ?? { exitCode: 255, finishedAt: rfc3339Nano(new Date()) }, !exit));
        if (monitor) await rm(monitor.record.dir, { recursive: true, force: true }).catch(() => undefined);
        continue;
      }
      if (restartOnBoot(record)) {
        void this.#locked(id, () => this.#startProcess(id)).catch((err: unknown) => this.#log(`container ${id}: restart on boot: ${String(err)}`));
      }
    }
    for (const [, orphan] of found) {
      if (orphan.monitorAlive) continue;
      await rm(orphan.record.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Stops watching; containers keep running under their monitors (Docker's live-restore). */
  async close(): Promise<void> {
    this.#closing = true;
    for (const timer of this.#restartTimers.values()) clearTimeout(timer);
    for (const live of this.#live.values()) live.watch.abort();
    for (const set of this.#pending.values()) for (const a of set) a.close();
    await Promise.allSettled([...this.#locks.values()]);
    await this.#store.close();
  }
}

// ---------------------------------------------------------------- small helpers

interface ImageInspect {
  Id: string;
  Size?: number;
  Config?: Record<string, unknown> | null;
  RootFS?: { Layers?: string[] };
}

function defaultRuntimes(): Record<string, string> {
  const out: Record<string, string> = { runc: existsSync('/usr/sbin/runc') ? '/usr/sbin/runc' : 'runc' };
  if (existsSync('/usr/bin/crun')) out.crun = '/usr/bin/crun';
  return out;
}

function logOptions(record: ContainerRecord): { logMaxSize?: number; logMaxFiles?: number } {
  const config = record.hostConfig.LogConfig?.Config ?? {};
  const out: { logMaxSize?: number; logMaxFiles?: number } = {};
  if (config['max-size']) out.logMaxSize = parseSize(config['max-size']);
  if (config['max-file']) out.logMaxFiles = Number(config['max-file']);
  return out;
}

/** Docker's `units.RAMInBytes` for log options: `10m`, `1g`, `512k`, bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw errorOf('invalid-argument', `invalid size: '${text}'`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * unit);
}

/** The filters `docker container prune` takes: `until` (a time or a duration ago) and `label` / `label!`. */
function pruneFilter(filters: Record<string, string[]>): (record: ContainerRecord) => boolean {
  for (const key of Object.keys(filters)) if (!['label', 'label!', 'until'].includes(key)) throw errorOf('invalid-argument', `invalid filter '${key}'`);
  const untils = (filters.until ?? []).map(untilMs);
  const hasLabel = (record: ContainerRecord, spec: string) => {
    const labels = record.config.Labels ?? {};
    const eq = spec.indexOf('=');
    return eq < 0 ? spec in labels : labels[spec.slice(0, eq)] === spec.slice(eq + 1);
  };
  return (record) => {
    const created = Date.parse(record.created);
    if (untils.some((t) => created >= t)) return false;
    if (!(filters.label ?? []).every((l) => hasLabel(record, l))) return false;
    if ((filters['label!'] ?? []).some((l) => hasLabel(record, l))) return false;
    return true;
  };
}

/** `until=`: a Unix time (seconds, fractions allowed), an RFC 3339 time, or a Go duration before now. */
function untilMs(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(value);
  if (m) {
    const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ns'];
    return Date.now() - Number(m[1]) * unit;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw errorOf('invalid-argument', `invalid filter 'until=${value}'`);
  return t;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function* releasing(stream: Readable, release: () => Promise<unknown>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } finally {
    stream.destroy();
    await release();
  }
}

