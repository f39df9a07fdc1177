/**
 * The container engine contract: every container operation behind Docker's `/containers/*`
 * and `/exec/*` endpoints, as the engine API sees them. One implementation
 * (`LocalContainerEngine`) runs in the `containers` component over the container records
 * (core/containers), the container filesystems (core/rootfs over the layer store), the OCI
 * runtime and its per-container monitors (core/runtime) and the json-file logs (core/logs);
 * the gRPC client (components/containers/client.ts) implements the same contract for the
 * engine API in its own process.
 *
 * The contract is split over four services of the manifest, each a facet of this one
 * interface: `container-store` (records: list, inspect, rename), `container-runtime`
 * (create, start, stop, kill, wait, attach, exec, …), `container-rootfs` (archive, diff,
 * export, commit) and `container-logs` (logs).
 *
 * Docker-shaped results are `Json` (see core/image-store: key order and `null` against `[]`
 * are the clients' contract). `ref` is what Docker accepts in `{id}`: a full ID, a unique ID
 * prefix, or a name with or without its leading `/`.
 *
 * Errors are `MobyError`s: `not-found` (`No such container: x`, `No such exec instance: x`),
 * `conflict` (a name in use, removing a running container unforced, exec in a stopped
 * container), `not-modified` (start of a started container, stop of a stopped one),
 * `invalid-argument` (a malformed body, a bad signal, an unknown runtime, a path escaping
 * the rootfs), `failed-precondition` (pause of a paused container …).
 */
import type { Json } from '../image-store/image-store.js';

export type { Json };

export interface ListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Record<string, string[]>;
}

export interface CreateRequest {
  name?: string;
  platform?: string;
  /** The body of `POST /containers/create` as the client sent it (Config with HostConfig, NetworkingConfig). */
  body: Json;
  /** The request's API version (`1.47`): some defaults depend on it. */
  apiVersion: string;
}

export interface StopOptions {
  /** A signal name or number; default the container's StopSignal, else SIGTERM. */
  signal?: string;
  /** Seconds before SIGKILL; default the container's StopTimeout, else 10; -1 waits forever. */
  timeout?: number;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface RemoveOptions {
  force?: boolean;
  volumes?: boolean;
  link?: boolean;
}

export interface AttachOptions {
  /** Stream live output (Docker's `stream=1`). */
  stream?: boolean;
  /** Replay the logs first (Docker's `logs=1`). */
  logs?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** What the client sends on an attached stream. */
export type AttachInput = { stdin: Uint8Array } | { closeStdin: true };

/**
 * An attached stream. `output` yields the bytes to write to the client as they are: Docker's
 * multiplexed frames without a TTY, the raw terminal bytes with one. It ends when the process
 * ends (or the engine detaches the client). `ready` resolves once the engine has registered the
 * attachment, so a `start` issued after it cannot lose output.
 */
export interface AttachSession {
  tty: boolean;
  ready: Promise<void>;
  output: AsyncIterable<Uint8Array>;
  /** Ends the attachment (the client went away); the process goes on. */
  close(): void;
}

export interface ExecStartOptions {
  detach?: boolean;
  tty?: boolean;
  /** Initial console size for a TTY exec. */
  consoleSize?: [number, number];
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Unix time in nanoseconds (0: from the start). */
  sinceNanos?: bigint;
  /** Unix time in nanoseconds (0: no bound). */
  untilNanos?: bigint;
  /** `all` or a number of lines from the end. */
  tail?: number | 'all';
  timestamps?: boolean;
  /**
   * Entries of one stream in a row may come as one entry, with the first one's time: for a
   * caller that shows no times and needs no entry boundaries (a read that neither follows nor
   * shows timestamps).
   */
  coalesce?: boolean;
  signal?: AbortSignal;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  line: Uint8Array;
  /** The entry's time as the log file holds it (RFC 3339 with nanoseconds). */
  time: string;
}

export interface LogsResult {
  tty: boolean;
  /** Entries in batches (many per message keeps 100 MB of logs fast). */
  entries: AsyncIterable<LogEntry[]>;
}

/** Docker's ContainerPathStat. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface ArchivePutOptions {
  noOverwriteDirNonDir?: boolean;
  copyUIDGID?: boolean;
}

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Dockerfile instructions (`CMD ["sh"]`, `ENV A=1`). */
  changes?: string[];
  pause?: boolean;
  /** The request body: a container Config overriding the committed one. */
  config?: Json;
}

export interface StatsOptions {
  stream?: boolean;
  oneShot?: boolean;
  signal?: AbortSignal;
}

export interface ContainerEngine {
  // container-store
  list(opts?: ListOptions): Promise<Json[]>;
  inspect(ref: string, opts?: { size?: boolean }): Promise<Json>;
  rename(ref: string, name: string): Promise<void>;
  /** Counts for `/info`. */
  counts(): Promise<{ containers: number; running: number; paused: number; stopped: number }>;

  // container-runtime
  create(req: CreateRequest): Promise<{ Id: string; Warnings: string[] }>;
  start(ref: string): Promise<void>;
  stop(ref: string, opts?: StopOptions): Promise<void>;
  restart(ref: string, opts?: StopOptions): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  wait(ref: string, condition?: WaitCondition, signal?: AbortSignal): Promise<WaitResult>;
  remove(ref: string, opts?: RemoveOptions): Promise<void>;
  update(ref: string, body: Json): Promise<{ Warnings: string[] }>;
  prune(filters?: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;
  top(ref: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  stats(ref: string, opts?: StatsOptions): AsyncIterable<Json>;
  attach(ref: string, opts: AttachOptions, input: AsyncIterable<AttachInput> | undefined): Promise<AttachSession>;
  resize(ref: string, height: number, width: number): Promise<void>;
  execCreate(ref: string, body: Json): Promise<{ Id: string }>;
  execStart(execId: string, opts: ExecStartOptions, input: AsyncIterable<AttachInput> | undefined): Promise<AttachSession>;
  execInspect(execId: string): Promise<Json>;
  execResize(execId: string, height: number, width: number): Promise<void>;
  /** `POST /networks/{id}/connect`: joins now when running, else at the next start. `endpoint` is Docker's EndpointSettings as sent. */
  networkConnect(ref: string, network: string, endpoint: Json): Promise<void>;
  /** `POST /networks/{id}/disconnect`. */
  networkDisconnect(ref: string, network: string, opts?: { force?: boolean }): Promise<void>;

  // container-rootfs
  archiveStat(ref: string, path: string): Promise<PathStat>;
  archiveGet(ref: string, path: string): Promise<{ stat: PathStat; data: AsyncIterable<Uint8Array> }>;
  archivePut(ref: string, path: string, data: AsyncIterable<Uint8Array>, opts?: ArchivePutOptions): Promise<void>;
  diff(ref: string): Promise<Json>;
  export(ref: string): AsyncIterable<Uint8Array>;
  commit(ref: string, opts: CommitOptions): Promise<{ Id: string }>;

  // container-logs
  logs(ref: string, opts: LogsOptions): Promise<LogsResult>;

  close(): Promise<void>;
}
