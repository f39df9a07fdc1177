import { digestOf, type Digest } from '../content/index.js';
import { chainIds } from '../snapshots/chain-id.js';
import { emptyContainerConfig, encodeContainerConfig, type ContainerConfig } from './container-config.js';
import { compareBytes, goJson } from './go-json.js';
import type { ImageConfig } from './image-config.js';

/** One pre-1.10 "v1 image" directory of a docker-save archive: `<id>/{VERSION,json,layer.tar}`. */
export interface LegacyLayer {
  /** 64 hex digits: the directory name. */
  id: string;
  diffId: Digest;
  /** The `json` file's bytes. */
  json: Buffer;
}

const EPOCH = '1970-01-01T00:00:00Z';

/**
 * The v1 directories Docker writes for an image's layers, bottom up (moby's
 * `v1.CreateID` and `saveImage`): every layer but the top gets a stub v1
 * config created at the epoch; the top one carries the image's own v1
 * fields. Each ID hashes the v1 config with the chain ID and the parent's ID,
 * so layers shared by images share directories. Only pre-1.10 tools read
 * these; `manifest.json` is what loaders use.
 */
export function legacyLayers(config: ImageConfig): LegacyLayer[] {
  const diffIds = config.rootfs.diff_ids;
  const chains = chainIds(diffIds);
  const out: LegacyLayer[] = [];
  let parent: string | undefined;
  for (const [i, diffId] of diffIds.entries()) {
    const top = i === diffIds.length - 1;
    const v1 = top ? topFields(config) : { created: EPOCH, container_config: encodeContainerConfig(emptyContainerConfig()) };
    const idInput: Record<string, unknown> = { ...v1, layer_id: chains[i] };
    if (parent !== undefined) idInput.parent = `sha256:${parent}`;
    const id = digestOf(goJson(sorted(idInput))).slice('sha256:'.length);
    const file: Record<string, unknown> = { id };
    if (parent !== undefined) file.parent = parent;
    Object.assign(file, v1);
    if (!top && config.os) file.os = config.os;
    out.push({ id, diffId, json: Buffer.from(goJson(file)) });
    parent = id;
  }
  return out;
}

/** The V1Image fields of a config, in Go's field order, as `json.Marshal(img.V1Image)` writes them. */
function topFields(config: ImageConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.comment) out.comment = config.comment;
  out.created = config.created ?? null;
  if (config.container) out.container = config.container;
  out.container_config = encodeContainerConfig(full(config.container_config));
  if (config.docker_version) out.docker_version = config.docker_version;
  if (config.author) out.author = config.author;
  if (config.config) out.config = encodeContainerConfig(full(config.config));
  if (config.architecture) out.architecture = config.architecture;
  if (config.variant) out.variant = config.variant;
  if (config.os) out.os = config.os;
  return out;
}

function full(partial: Partial<ContainerConfig> | null | undefined): ContainerConfig {
  return { ...emptyContainerConfig(), ...(partial ?? {}) };
}

function sorted(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(map).sort(compareBytes)) out[key] = map[key];
  return out;
}
