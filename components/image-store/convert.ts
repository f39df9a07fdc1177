/**
 * Proto ↔ domain for image-store. Docker-shaped values travel as JSON text (see the proto).
 */
import type {
  CommitOptions as ProtoCommitOptions, FilterValues, ImportOptions as ProtoImportOptions, ImportResponse, ListRequest, LoadResponse, PullRequest, PullResponse,
  PushRequest, PushResponse, RegistryAuth as ProtoRegistryAuth,
} from '../../api/moby/image_store/v1/image_store.js';
import type {
  CommitImageOptions, Filters, ImportOptions, ImportResult, Json, ListOptions, LoadResult, ProgressEvent, PullOptions, PullResult, PushOptions,
  PushResult, RegistryAuth,
} from '../../core/image-store/image-store.js';
import { parseJson } from '../../core/image/json-fields.js';
import { errorOf } from '../../lib/errdefs/index.js';

export function toJson(value: unknown): { json: string } {
  return { json: JSON.stringify(value) };
}

export function fromJson<T = Json>(res: { json: string }): T {
  return JSON.parse(res.json) as T;
}

export function filtersToProto(filters: Filters | undefined): Record<string, FilterValues> {
  return Object.fromEntries(Object.entries(filters ?? {}).map(([key, values]) => [key, { values }]));
}

export function filtersFromProto(filters: Record<string, FilterValues>): Filters {
  return Object.fromEntries(Object.entries(filters).map(([key, { values }]) => [key, values]));
}

export function listToProto(opts: ListOptions = {}): ListRequest {
  return { all: opts.all ?? false, filters: filtersToProto(opts.filters), sharedSize: opts.sharedSize ?? false };
}

export function listFromProto(req: ListRequest): ListOptions {
  return { all: req.all, filters: filtersFromProto(req.filters), sharedSize: req.sharedSize };
}

export function importOptionsToProto(opts: ImportOptions = {}): ProtoImportOptions {
  return { repo: opts.repo ?? '', tag: opts.tag ?? '', changes: opts.changes ?? [], message: opts.message ?? '', platform: opts.platform ?? '' };
}

/** Empty strings stand for absent options. */
export function importOptionsFromProto(opts: ProtoImportOptions): ImportOptions {
  const out: ImportOptions = { changes: opts.changes };
  if (opts.repo) out.repo = opts.repo;
  if (opts.tag) out.tag = opts.tag;
  if (opts.message) out.message = opts.message;
  if (opts.platform) out.platform = opts.platform;
  return out;
}

export function commitOptionsToProto(opts: CommitImageOptions): ProtoCommitOptions {
  return {
    parent: opts.parent, containerId: opts.containerId, containerConfigJson: JSON.stringify(opts.containerConfig ?? null),
    comment: opts.comment ?? '', author: opts.author ?? '', changes: opts.changes ?? [],
    configJson: opts.config === undefined || opts.config === null ? '' : JSON.stringify(opts.config),
    repo: opts.repo ?? '', tag: opts.tag ?? '',
  };
}

/** Empty strings stand for absent options; malformed JSON is `invalid-argument`. */
export function commitOptionsFromProto(opts: ProtoCommitOptions): CommitImageOptions {
  const out: CommitImageOptions = {
    parent: opts.parent, containerId: opts.containerId, containerConfig: parseJson(opts.containerConfigJson || 'null', 'container config'),
    changes: opts.changes,
  };
  if (opts.configJson) out.config = parseJson(opts.configJson, 'commit config');
  if (opts.comment) out.comment = opts.comment;
  if (opts.author) out.author = opts.author;
  if (opts.repo) out.repo = opts.repo;
  if (opts.tag) out.tag = opts.tag;
  return out;
}

export function importEventToProto(event: ProgressEvent<ImportResult>): ImportResponse {
  return 'message' in event ? { messageJson: JSON.stringify(event.message) } : { importResult: { id: event.result.id } };
}

export function importEventFromProto(res: ImportResponse): ProgressEvent<ImportResult> {
  if (res.messageJson !== undefined) return { message: JSON.parse(res.messageJson) };
  if (res.importResult) return { result: { id: res.importResult.id } };
  throw errorOf('internal', 'image-store: an import response with neither message nor result');
}

export function loadEventToProto(event: ProgressEvent<LoadResult>): LoadResponse {
  return 'message' in event ? { messageJson: JSON.stringify(event.message) } : { loadResult: { loaded: event.result.loaded } };
}

export function loadEventFromProto(res: LoadResponse): ProgressEvent<LoadResult> {
  if (res.messageJson !== undefined) return { message: JSON.parse(res.messageJson) };
  if (res.loadResult) return { result: { loaded: res.loadResult.loaded } };
  throw errorOf('internal', 'image-store: a load response with neither message nor result');
}

const authFields = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;

export function authToProto(auth: RegistryAuth = {}): ProtoRegistryAuth {
  return {
    username: auth.username ?? '', password: auth.password ?? '', auth: auth.auth ?? '', email: auth.email ?? '',
    serveraddress: auth.serveraddress ?? '', identitytoken: auth.identitytoken ?? '', registrytoken: auth.registrytoken ?? '',
  };
}

/** Empty fields are absent ones. */
export function authFromProto(auth: ProtoRegistryAuth | undefined): RegistryAuth {
  const out: RegistryAuth = {};
  for (const f of authFields) if (auth?.[f]) out[f] = auth[f];
  return out;
}

export function pullToProto(ref: string, opts: PullOptions = {}): PullRequest {
  return { ref, platform: opts.platform ?? '', auth: authToProto(opts.auth), allTags: opts.allTags ?? false };
}

export function pullFromProto(req: PullRequest): PullOptions {
  const out: PullOptions = { auth: authFromProto(req.auth), allTags: req.allTags };
  if (req.platform) out.platform = req.platform;
  return out;
}

export function pushToProto(ref: string, opts: PushOptions = {}): PushRequest {
  return { ref, auth: authToProto(opts.auth) };
}

export function pullEventToProto(event: ProgressEvent<PullResult>): PullResponse {
  return 'message' in event ? { messageJson: JSON.stringify(event.message) } : { pullResult: event.result };
}

export function pullEventFromProto(res: PullResponse): ProgressEvent<PullResult> {
  if (res.messageJson !== undefined) return { message: JSON.parse(res.messageJson) };
  if (res.pullResult) return { result: { images: res.pullResult.images.map(({ id, reference, repoDigest }) => ({ id, reference, repoDigest })) } };
  throw errorOf('internal', 'image-store: a pull response with neither message nor result');
}

export function pushEventToProto(event: ProgressEvent<PushResult>): PushResponse {
  return 'message' in event ? { messageJson: JSON.stringify(event.message) } : { pushResult: event.result };
}

export function pushEventFromProto(res: PushResponse): ProgressEvent<PushResult> {
  if (res.messageJson !== undefined) return { message: JSON.parse(res.messageJson) };
  if (res.pushResult) return { result: { pushed: res.pushResult.pushed.map(({ tag, digest, size }) => ({ tag, digest, size })) } };
  throw errorOf('internal', 'image-store: a push response with neither message nor result');
}
