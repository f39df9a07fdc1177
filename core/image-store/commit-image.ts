import { errorOf } from '../../lib/errdefs/index.js';
import { digestOf, type Digest } from '../content/index.js';
import { applyChanges } from '../image/apply-changes.js';
import { completeContainerConfig, type ContainerConfig } from '../image/container-config.js';
import { goTime } from '../image/go-json.js';
import { encodeImageConfig, parseImageConfig, type HistoryEntry, type ImageConfig } from '../image/image-config.js';
import { isObject, type JsonObject } from '../image/json-fields.js';
import { mediaTypes, type Platform } from '../image/oci.js';
import { referenceString, repoTagReference } from '../image/reference.js';
import type { LayerDescriptor } from '../layers/layer-store.js';
import { imageEvent } from './image-events.js';
import type { ImageRecord } from './image-records.js';
import type { CommitImageOptions, Json } from './image-store.js';
import { putLeased } from './put-leased.js';
import { familiarOf, noSuchImage, resolveImage } from './resolve-image.js';
import { commitImages, prepareImage, withLease, type StoreContext } from './store-image.js';

export interface CommitContext extends StoreContext {
  /** The platform of a commit with no parent image (and the architecture of a parent that names none). */
  platform: Platform;
  /** Written as the config's `docker_version`. */
  dockerVersion?: string;
}

/** The diff ID of an empty layer (1024 zero bytes: a tar with nothing in it), moby's `DigestSHA256EmptyTar`. */
export const emptyLayerDiffId = digestOf(Buffer.alloc(1024)) as Digest;

/**
 * `docker commit`, as moby's `CreateImageFromContainer` and the classic store's
 * `CommitImage` / `image.NewChildImage`:
 *  - the run config is the request's `config` (the container's Config when there is
 *    none), with `changes` applied as Dockerfile instructions, then `merge`d with the
 *    container's Config (which fills what the former leaves empty);
 *  - the layer (an uncompressed tar of the container's changes, whiteouts included) is
 *    stored as it comes, its digest (the diff ID) computed as it is written, and unpacked
 *    over the parent's snapshot; an empty one (the 1024-zero tar) adds no layer and its
 *    history entry says `empty_layer`, as in moby;
 *  - the config is the parent's rootfs and history plus the new entry (`created_by` the
 *    container's Cmd joined with spaces, `author`, `comment`), `container` (the
 *    container's ID), `container_config` (its Config), `author`, the parent's
 *    architecture/variant/os.version/os.features; no top-level `comment`, as moby writes it.
 * Options are checked, and the parent resolved, before the layer is read. The image is
 * named `repo:tag` when a repo is given (the name moves from any image that had it),
 * else it is untagged. Like moby's image service, the store publishes only `tag` when
 * it names the image: the `commit` event is a container event, the caller's to publish.
 * A malformed layer is `invalid-argument` and nothing of the commit stays.
 */
export async function commitImage(ctx: CommitContext, layer: AsyncIterable<Uint8Array>, opts: CommitImageOptions): Promise<{ id: string }> {
  if (typeof opts.containerId !== 'string' || opts.containerId === '') throw errorOf('invalid-argument', 'commit: a container ID is required');
  const containerConfig = runConfigOf(opts.containerConfig, 'container config');
  const requested = opts.config === undefined || opts.config === null ? undefined : runConfigOf(opts.config, 'config');
  const name = opts.repo ? referenceString(repoTagReference(opts.repo, opts.tag)) : undefined;
  const parentId = opts.parent ? resolveImage(ctx.records, opts.parent) : undefined;
  const parent = parentId === undefined ? undefined : ctx.records.get(parentId)!;
  const parentConfig: ImageConfig = parent
    ? parseImageConfig(await ctx.layers.content.readAll(parent.config.digest))
    : { rootfs: { type: 'layers', diff_ids: [] } };
  const os = parentConfig.os || ctx.platform.os;
  const runConfig = mergeRunConfig(applyChanges(requested ?? containerConfig, opts.changes ?? [], os), containerConfig);

  const id = await withLease(ctx, async (lease) => {
    if (parent) await holdParent(ctx, parent, lease);
    const stored = await putLeased(ctx.layers, lease, layer);
    const empty = stored.digest === emptyLayerDiffId;
    const created = childConfig(ctx, parentConfig, {
      runConfig, containerConfig, os, diffId: empty ? undefined : stored.digest, created: goTime(ctx.clock()),
      containerId: opts.containerId, author: opts.author ?? '', comment: opts.comment ?? '',
    });
    await putLeased(ctx.layers, lease, created.bytes, created.id);
    const config = { mediaType: mediaTypes.dockerConfig, digest: created.id, size: created.bytes.length };
    const layers: LayerDescriptor[] = (parent?.layers ?? []).map((l) => ({ ...l }));
    if (!empty) layers.push({ mediaType: mediaTypes.dockerLayer, digest: stored.digest, size: stored.size });
    const record = await prepareImage(ctx.layers, { config, parsed: created.config, layers }, lease);
    await commitImages(ctx, [{ record, names: name === undefined ? [] : [name] }], goTime(ctx.clock()));
    return created.id;
  });
  if (name !== undefined) ctx.publish(imageEvent('tag', id, familiarOf(name), ctx.records.get(id)?.labels));
  return { id };
}

/** Keeps the parent's blobs and top snapshot alive until the commit is recorded, even if the parent is removed meanwhile. */
async function holdParent(ctx: StoreContext, parent: ImageRecord, lease: string): Promise<void> {
  for (const blob of [parent.manifest, parent.config, ...parent.layers]) await ctx.layers.addToLease(lease, { kind: 'content', id: blob.digest });
  const top = parent.chainIds.at(-1);
  if (top !== undefined) await ctx.layers.addToLease(lease, { kind: 'snapshot', id: top });
  // A removal deletes the record before it collects: still here, its blobs are safe now.
  if (!ctx.records.get(parent.id)) throw noSuchImage(parent.id);
}

interface ChildOptions {
  runConfig: ContainerConfig;
  containerConfig: ContainerConfig;
  os: string;
  /** Absent for an empty layer. */
  diffId?: Digest;
  created: string;
  containerId: string;
  author: string;
  comment: string;
}

/** moby's `image.NewChildImage`: the parent's config carried over, one history entry and (unless empty) one layer added. */
function childConfig(ctx: CommitContext, parent: ImageConfig, o: ChildOptions) {
  const entry: HistoryEntry = { created: o.created, created_by: (o.containerConfig.Cmd ?? []).join(' ') };
  if (o.author) entry.author = o.author;
  if (o.comment) entry.comment = o.comment;
  if (o.diffId === undefined) entry.empty_layer = true;
  const config: ImageConfig = {
    architecture: parent.architecture || ctx.platform.architecture,
    author: o.author || undefined,
    config: o.runConfig,
    container: o.containerId,
    container_config: o.containerConfig,
    created: o.created,
    docker_version: ctx.dockerVersion,
    history: [...(parent.history ?? []), entry],
    os: o.os,
    'os.features': parent['os.features'] && parent['os.features'].length > 0 ? parent['os.features'] : undefined,
    'os.version': parent['os.version'] || undefined,
    rootfs: { type: 'layers', diff_ids: o.diffId === undefined ? [...parent.rootfs.diff_ids] : [...parent.rootfs.diff_ids, o.diffId] },
    variant: parent.variant || undefined,
  };
  for (const key of Object.keys(config) as Array<keyof ImageConfig>) if (config[key] === undefined) delete config[key];
  const bytes = encodeImageConfig(config);
  return { config: parseImageConfig(bytes), bytes, id: digestOf(bytes) };
}

/**
 * moby's `merge(userConf, imageConf)` as `docker commit` uses it: `user` (the request's
 * config with the changes applied) keeps what it sets; the container's Config fills User,
 * ExposedPorts, Env (by key), Labels, Cmd/Entrypoint (only when `user` has no
 * Entrypoint), Healthcheck fields, WorkingDir, Volumes and StopSignal.
 */
export function mergeRunConfig(user: ContainerConfig, image: ContainerConfig): ContainerConfig {
  const out = completeContainerConfig(user);
  const from = completeContainerConfig(image);
  if (out.User === '') out.User = from.User;
  if (!out.ExposedPorts || Object.keys(out.ExposedPorts).length === 0) {
    if (from.ExposedPorts === undefined) delete out.ExposedPorts;
    else out.ExposedPorts = from.ExposedPorts;
  } else if (from.ExposedPorts) {
    for (const port of Object.keys(from.ExposedPorts)) out.ExposedPorts[port] ??= {};
  }
  if (!out.Env || out.Env.length === 0) out.Env = from.Env;
  else {
    const keys = new Set(out.Env.map((kv) => kv.split('=', 1)[0]));
    for (const kv of from.Env ?? []) if (!keys.has(kv.split('=', 1)[0])) out.Env.push(kv);
  }
  out.Labels ??= {};
  for (const [key, value] of Object.entries(from.Labels ?? {})) if (!(key in out.Labels)) out.Labels[key] = value;
  if (!out.Entrypoint || out.Entrypoint.length === 0) {
    if (!out.Cmd || out.Cmd.length === 0) out.Cmd = from.Cmd;
    if (out.Entrypoint === null) out.Entrypoint = from.Entrypoint;
  }
  if (from.Healthcheck) {
    if (!out.Healthcheck) out.Healthcheck = from.Healthcheck;
    else {
      const h = out.Healthcheck;
      if (!h.Test || h.Test.length === 0) h.Test = from.Healthcheck.Test;
      for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
        if (!h[key] && from.Healthcheck[key] !== undefined) h[key] = from.Healthcheck[key];
      }
    }
  }
  if (out.WorkingDir === '') out.WorkingDir = from.WorkingDir;
  if (!out.Volumes || Object.keys(out.Volumes).length === 0) out.Volumes = from.Volumes;
  else Object.assign(out.Volumes, from.Volumes ?? {});
  if (!out.StopSignal) {
    if (from.StopSignal === undefined) delete out.StopSignal;
    else out.StopSignal = from.StopSignal;
  }
  return out;
}

const stringFields = ['Hostname', 'Domainname', 'User', 'Image', 'WorkingDir', 'MacAddress', 'StopSignal'] as const;
const boolFields = ['AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce', 'ArgsEscaped', 'NetworkDisabled'] as const;
const listFields = ['Env', 'Cmd', 'Entrypoint', 'OnBuild', 'Shell'] as const;
const setFields = ['ExposedPorts', 'Volumes'] as const;

/**
 * A Docker `container.Config` given as JSON (a create body's `HostConfig` and
 * `NetworkingConfig` are ignored, as moby's decoder splits them off), checked as Go's
 * decoder would: wrong types are `invalid-argument`; unknown fields are dropped.
 */
function runConfigOf(value: Json | undefined, what: string): ContainerConfig {
  if (!isObject(value)) throw errorOf('invalid-argument', `commit: the ${what} must be a JSON object`);
  const bad = (key: string, expected: string) => errorOf('invalid-argument', `commit: the ${what}'s ${key} must be ${expected}`);
  const v = value as JsonObject;
  const out: Partial<ContainerConfig> = {};
  const into = out as Record<string, unknown>;
  for (const key of stringFields) {
    if (v[key] === undefined || v[key] === null) continue;
    if (typeof v[key] !== 'string') throw bad(key, 'a string');
    into[key] = v[key];
  }
  for (const key of boolFields) {
    if (v[key] === undefined || v[key] === null) continue;
    if (typeof v[key] !== 'boolean') throw bad(key, 'a boolean');
    into[key] = v[key];
  }
  for (const key of listFields) {
    const list = v[key];
    if (list === undefined) continue;
    if (list === null) { into[key] = null; continue; }
    // Docker's StrSlice takes a single string as a one-element list for Cmd and Entrypoint.
    if (typeof list === 'string' && (key === 'Cmd' || key === 'Entrypoint')) { into[key] = [list]; continue; }
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) throw bad(key, 'a list of strings');
    into[key] = [...list];
  }
  for (const key of setFields) {
    const set = v[key];
    if (set === undefined || set === null) continue;
    if (!isObject(set)) throw bad(key, 'an object');
    into[key] = Object.fromEntries(Object.keys(set).map((k) => [k, {}]));
  }
  if (v.Labels !== undefined && v.Labels !== null) {
    if (!isObject(v.Labels) || Object.values(v.Labels).some((s) => typeof s !== 'string')) throw bad('Labels', 'a map of strings');
    out.Labels = { ...(v.Labels as Record<string, string>) };
  }
  if (v.StopTimeout !== undefined && v.StopTimeout !== null) {
    if (typeof v.StopTimeout !== 'number' || !Number.isInteger(v.StopTimeout)) throw bad('StopTimeout', 'an integer');
    out.StopTimeout = v.StopTimeout;
  }
  if (v.Healthcheck !== undefined && v.Healthcheck !== null) {
    if (!isObject(v.Healthcheck)) throw bad('Healthcheck', 'an object');
    const h = v.Healthcheck;
    const health: NonNullable<ContainerConfig['Healthcheck']> = {};
    if (h.Test !== undefined && h.Test !== null) {
      if (!Array.isArray(h.Test) || h.Test.some((s) => typeof s !== 'string')) throw bad('Healthcheck.Test', 'a list of strings');
      health.Test = [...(h.Test as string[])];
    }
    for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
      if (h[key] === undefined || h[key] === null) continue;
      if (typeof h[key] !== 'number' || !Number.isInteger(h[key])) throw bad(`Healthcheck.${key}`, 'an integer');
      health[key] = h[key] as number;
    }
    out.Healthcheck = health;
  }
  return completeContainerConfig(out);
}
