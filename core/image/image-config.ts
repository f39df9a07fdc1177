import { digestOf, type Digest } from '../content/index.js';
import { applyChanges } from './apply-changes.js';
import { emptyContainerConfig, encodeContainerConfig, type ContainerConfig } from './container-config.js';
import { compareBytes, goJson, goTime } from './go-json.js';
import {
  arrayAt, digestAt, invalid, isObject, objectAt, optionalString, parseJson, stringAt, stringArrayAt, type JsonObject,
} from './json-fields.js';
import type { Platform } from './oci.js';
import { defaultPlatform, normalizePlatform } from './platform.js';

/**
 * The image config (OCI `application/vnd.oci.image.config.v1+json` and
 * Docker's `application/vnd.docker.container.image.v1+json`, a superset).
 * Its sha256 is the image ID, so stored configs are kept as the exact bytes
 * they arrived as and never re-serialised; `encodeImageConfig` is only for
 * configs the engine creates, and writes them as Docker does.
 */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  config?: Partial<ContainerConfig> | null;
  /** Docker only: the config of the container an image was committed from. */
  container_config?: Partial<ContainerConfig> | null;
  container?: string;
  docker_version?: string;
  comment?: string;
  /** Docker only: the ID of the image this one was built on, for locally built images. */
  parent?: string;
  rootfs: RootFs;
  history?: HistoryEntry[];
}

export interface RootFs {
  type: string;
  diff_ids: Digest[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * Parses and checks a config: `rootfs` with type `layers` and sha256
 * `diff_ids`, well-formed `history`, string `os`/`architecture`. Unknown
 * fields are kept. Malformed input is `invalid-argument`.
 */
export function parseImageConfig(bytes: Uint8Array | string): ImageConfig {
  const doc = 'image config';
  const root = objectAt(parseJson(bytes, doc), doc, '');
  for (const key of ['created', 'author', 'architecture', 'os', 'variant', 'os.version', 'comment', 'docker_version', 'parent', 'container']) {
    optionalString(root[key], doc, key);
  }
  if (root['os.features'] !== undefined && root['os.features'] !== null) stringArrayAt(root['os.features'], doc, 'os.features');
  for (const key of ['config', 'container_config']) {
    if (root[key] !== undefined && root[key] !== null) objectAt(root[key], doc, key);
  }
  if (root.rootfs === undefined) throw invalid(doc, 'rootfs', 'missing (no RootFS key)');
  const rootfs = objectAt(root.rootfs, doc, 'rootfs');
  if (stringAt(rootfs.type, doc, 'rootfs.type') !== 'layers') throw invalid(doc, 'rootfs.type', `unsupported rootfs type ${JSON.stringify(rootfs.type)}`);
  const diffIds = rootfs.diff_ids === undefined || rootfs.diff_ids === null
    ? [] : arrayAt(rootfs.diff_ids, doc, 'rootfs.diff_ids').map((d, i) => digestAt(d, doc, `rootfs.diff_ids[${i}]`));
  if (root.history !== undefined && root.history !== null) {
    arrayAt(root.history, doc, 'history').forEach((h, i) => checkHistory(h as JsonObject, doc, `history[${i}]`));
  }
  const config = root as unknown as ImageConfig;
  config.rootfs = { ...(rootfs as unknown as RootFs), diff_ids: diffIds };
  return config;
}

function checkHistory(entry: JsonObject, doc: string, path: string): void {
  if (!isObject(entry)) throw invalid(doc, path, 'expected an object');
  for (const key of ['created', 'created_by', 'author', 'comment']) optionalString(entry[key], doc, `${path}.${key}`);
  const empty = entry.empty_layer;
  if (empty !== undefined && empty !== null && typeof empty !== 'boolean') throw invalid(doc, `${path}.empty_layer`, 'expected a boolean');
}

/**
 * The bytes Docker would write for `config`: top-level keys sorted (Docker's
 * `Image.MarshalJSON`), nested structures in Go field order, Go's escaping.
 * `container_config` is always written, as Go writes a struct field.
 */
export function encodeImageConfig(config: ImageConfig): Buffer {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (key === 'config' || key === 'container_config') {
      out[key] = value === null ? null : encodeContainerConfig({ ...emptyContainerConfig(), ...(value as Partial<ContainerConfig>) });
    } else if (key === 'history') out.history = (value as HistoryEntry[]).map(encodeHistory);
    else if (key === 'rootfs') out.rootfs = encodeRootFs(value as RootFs);
    else out[key] = value;
  }
  if (out.container_config === undefined) out.container_config = encodeContainerConfig(emptyContainerConfig());
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(out).sort(compareBytes)) sorted[key] = out[key];
  return Buffer.from(goJson(sorted));
}

function encodeHistory(h: HistoryEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h.created !== undefined) out.created = h.created;
  if (h.created_by) out.created_by = h.created_by;
  if (h.author) out.author = h.author;
  if (h.comment) out.comment = h.comment;
  if (h.empty_layer) out.empty_layer = true;
  return out;
}

function encodeRootFs(r: RootFs): Record<string, unknown> {
  return r.diff_ids.length > 0 ? { type: r.type, diff_ids: r.diff_ids } : { type: r.type };
}

export interface ImportConfigOptions {
  /** The diff ID of the imported layer (sha256 of the uncompressed tar). */
  diffId: Digest;
  /** When the import happened; a string keeps nanoseconds (`2026-11-23T16:38:10.585414113Z`). */
  created: Date | string;
  /** `docker import --change` instructions. */
  changes?: string[];
  /** Default linux/amd64. */
  platform?: Platform;
  /** The `message` parameter; Docker's default is `Imported from <source>`, `-` for a request body. */
  comment?: string;
  /** Written as `docker_version` when given, as Docker writes its own version. */
  dockerVersion?: string;
}

export interface CreatedConfig {
  config: ImageConfig;
  /** The exact bytes to store. */
  bytes: Buffer;
  /** The image ID: the sha256 of `bytes`. */
  id: Digest;
}

/**
 * The config `docker import` creates: the `--change` instructions applied to
 * an empty run config, one layer, one history entry with the comment, as
 * moby's `ImportImage` writes it.
 */
export function newImportConfig(opts: ImportConfigOptions): CreatedConfig {
  const platform = normalizePlatform(opts.platform ?? defaultPlatform);
  const created = goTime(opts.created);
  const comment = opts.comment || 'Imported from -';
  const changes = opts.changes ?? [];
  const config: ImageConfig = {
    architecture: platform.architecture,
    comment,
    config: changes.length === 0 ? emptyContainerConfig() : applyChanges(emptyContainerConfig(), changes, platform.os),
    container_config: emptyContainerConfig(),
    created,
    docker_version: opts.dockerVersion,
    history: [{ created, comment }],
    os: platform.os,
    rootfs: { type: 'layers', diff_ids: [opts.diffId] },
    variant: platform.variant,
  };
  for (const key of Object.keys(config) as Array<keyof ImageConfig>) if (config[key] === undefined) delete config[key];
  const bytes = encodeImageConfig(config);
  return { config, bytes, id: digestOf(bytes) };
}
