import { errorOf, isKind } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import type { LayerDescriptor } from '../layers/layer-store.js';
import type { Descriptor, MetadataStore, WriteTx } from '../metadata/index.js';

/**
 * What the store knows of one image, by ID, kept in the image store's own metadata
 * database as `kv` entry `image/<id>`. Everything a listing needs is here, so `list`
 * reads no blob; `inspect` and `history` read the config.
 */
export interface ImageRecord {
  /** The config digest. */
  id: Digest;
  /** The manifest kept for the image (created for imports and docker-save archives). */
  manifest: Descriptor;
  config: Descriptor;
  /** As the manifest lists them, bottom first. */
  layers: LayerDescriptor[];
  diffIds: string[];
  chainIds: string[];
  /** Space of each layer's snapshot (its own layer, not its parents). */
  layerSizes: number[];
  /** The config's `created`, as written there. */
  created?: string;
  /** The config's `config.Labels`. */
  labels: Record<string, string> | null;
  /** Where the top layer's snapshot lives, for `GraphDriver.Data`. */
  graphDriver: Record<string, string>;
  /** When a name was last given to it here (`docker tag`, `docker import` with a repo). */
  lastTagTime?: string;
}

/** A name given to an image, and the other image it named before, if any (`docker load` says so). */
export interface NameChange {
  name: string;
  id: Digest;
  from?: Digest;
}

const recordPrefix = 'image/';
/** The image ID on each name row of the `images` table, whose target is the image's manifest. */
const idLabel = 'org.mobyproject.image.id';

/**
 * Image records and names in the image store's `MetadataStore`: one `kv` entry per image
 * and one `images` row per name (`docker.io/library/busybox:latest`, or a digest reference),
 * its target the image's manifest. An image with no name is dangling. Every write is one
 * transaction.
 */
export class ImageRecords {
  constructor(private readonly db: MetadataStore) {}

  get(id: string): ImageRecord | undefined {
    const raw = this.db.view((tx) => tx.kv.get(recordPrefix + id));
    return raw === undefined ? undefined : (JSON.parse(raw) as ImageRecord);
  }

  all(): ImageRecord[] {
    return this.db.view((tx) => tx.kv.list(recordPrefix)).map(([, raw]) => JSON.parse(raw) as ImageRecord);
  }

  /** Every name and the image it names, in name order. */
  names(): Map<string, Digest> {
    const rows = this.db.view((tx) => tx.images.list());
    return new Map(rows.map((row) => [row.name, row.labels[idLabel] as Digest]));
  }

  idOfName(name: string): Digest | undefined {
    return this.db.view((tx) => {
      try {
        return tx.images.get(name).labels[idLabel] as Digest;
      } catch (err) {
        if (isKind(err, 'not-found')) return undefined;
        throw err;
      }
    });
  }

  /** The names of one image, in name order. */
  namesOf(id: string): string[] {
    return [...this.names()].filter(([, of]) => of === id).map(([name]) => name);
  }

  /**
   * Adds images (an existing record is kept as it is) and gives them names, moving a name
   * from any other image, all in one transaction. `tagTime` also stamps `lastTagTime`.
   */
  add(images: { record: ImageRecord; names: string[] }[], tagTime?: string): NameChange[] {
    return this.db.update((tx) => {
      const changes: NameChange[] = [];
      for (const { record, names } of images) {
        const current = readRecord(tx, record.id) ?? record;
        if (tagTime !== undefined && names.length > 0) current.lastTagTime = tagTime;
        tx.kv.set(recordPrefix + record.id, JSON.stringify(current));
        for (const name of names) {
          const from = setName(tx, name, current);
          changes.push(from === undefined ? { name, id: record.id } : { name, id: record.id, from });
        }
      }
      return changes;
    });
  }

  /** Gives an existing image a name (moving it from another image) and stamps `lastTagTime`. */
  tag(id: Digest, name: string, tagTime: string): void {
    this.db.update((tx) => {
      const record = readRecord(tx, id);
      if (!record) throw errorOf('not-found', `No such image: ${id}`);
      record.lastTagTime = tagTime;
      tx.kv.set(recordPrefix + id, JSON.stringify(record));
      setName(tx, name, record);
    });
  }

  /** Removes names; a missing one is `not-found`. */
  untag(names: string[]): void {
    this.db.update((tx) => names.forEach((name) => tx.images.delete(name)));
  }

  /** Removes an image and every name it has; returns the names. */
  delete(id: string): string[] {
    return this.db.update((tx) => {
      const names = tx.images.list().filter((row) => row.labels[idLabel] === id).map((row) => row.name);
      names.forEach((name) => tx.images.delete(name));
      tx.kv.delete(recordPrefix + id);
      return names;
    });
  }
}

function findName(tx: WriteTx, name: string) {
  try {
    return tx.images.get(name);
  } catch (err) {
    if (isKind(err, 'not-found')) return undefined;
    throw err;
  }
}

function readRecord(tx: WriteTx, id: string): ImageRecord | undefined {
  const raw = tx.kv.get(recordPrefix + id);
  return raw === undefined ? undefined : (JSON.parse(raw) as ImageRecord);
}

/** Points `name` at the image; returns the image it named before, if another. */
function setName(tx: WriteTx, name: string, record: ImageRecord): Digest | undefined {
  const row = findName(tx, name);
  const labels = { [idLabel]: record.id };
  if (!row) {
    tx.images.create({ name, target: record.manifest, labels });
    return undefined;
  }
  tx.images.update(name, { target: record.manifest, labels });
  const before = row.labels[idLabel] as Digest;
  return before === record.id ? undefined : before;
}
