import type Database from 'better-sqlite3';
import { errorOf } from '../../lib/errdefs/index.js';
import { matchesLabelFilter, parseDigest, type Digest, type Labels, type ListFilter } from '../content/index.js';
import { readLabels, requireName, writeLabels } from './labels-column.js';

/** What an image name points at: its manifest or index. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
}

export interface ImageRecord {
  name: string;
  target: Descriptor;
  labels: Labels;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewImage {
  name: string;
  target: Descriptor;
  labels?: Labels;
}

export interface ImageChanges {
  target?: Descriptor;
  /** Replaces all labels. */
  labels?: Labels;
}

interface Row {
  name: string;
  media_type: string;
  digest: string;
  size: number;
  labels: string;
  created_at: number;
  updated_at: number;
}

/** Image names and their targets. Every image is a garbage-collection root. */
export class ImageTable {
  private readonly selectOne;
  private readonly selectAll;
  private readonly insert;
  private readonly replace;
  private readonly remove;
  private readonly removeRefs;

  constructor(
    db: Database.Database,
    private readonly clock: () => Date,
  ) {
    this.selectOne = db.prepare<[string], Row>('SELECT * FROM images WHERE name = ?');
    this.selectAll = db.prepare<[], Row>('SELECT * FROM images ORDER BY name');
    this.insert = db.prepare(
      'INSERT INTO images VALUES (@name, @media_type, @digest, @size, @labels, @created_at, @updated_at)',
    );
    this.replace = db.prepare(
      'UPDATE images SET media_type = @media_type, digest = @digest, size = @size, labels = @labels, updated_at = @updated_at WHERE name = @name',
    );
    this.remove = db.prepare<[string]>('DELETE FROM images WHERE name = ?');
    this.removeRefs = db.prepare<[string]>("DELETE FROM refs WHERE parent_kind = 'image' AND parent_id = ?");
  }

  get(name: string): ImageRecord {
    const row = this.selectOne.get(name);
    if (!row) throw errorOf('not-found', `image ${name}: not found`);
    return fromRow(row);
  }

  list(filter?: ListFilter): ImageRecord[] {
    return this.selectAll.all().map(fromRow).filter((image) => matchesLabelFilter(image.labels, filter));
  }

  create(image: NewImage): ImageRecord {
    requireName(image.name, 'image name');
    if (this.selectOne.get(image.name)) throw errorOf('already-exists', `image ${image.name}: already exists`);
    const now = this.clock().getTime();
    this.insert.run({ ...toColumns(image.name, image.target, image.labels), created_at: now, updated_at: now });
    return this.get(image.name);
  }

  update(name: string, changes: ImageChanges): ImageRecord {
    const current = this.get(name);
    const target = changes.target ?? current.target;
    const labels = changes.labels ?? current.labels;
    this.replace.run({ ...toColumns(name, target, labels), updated_at: this.clock().getTime() });
    return this.get(name);
  }

  /** Also drops the image's own reference edges. */
  delete(name: string): void {
    if (this.remove.run(name).changes === 0) throw errorOf('not-found', `image ${name}: not found`);
    this.removeRefs.run(name);
  }
}

function toColumns(name: string, target: Descriptor, labels: Labels | undefined) {
  return { name, ...validateDescriptor(target, `image ${name}`), labels: writeLabels(labels) };
}

function validateDescriptor(target: Descriptor, context: string) {
  if (typeof target?.mediaType !== 'string' || target.mediaType === '') {
    throw errorOf('invalid-argument', `${context}: target media type must be a non-empty string`);
  }
  if (!Number.isSafeInteger(target.size) || target.size < 0) {
    throw errorOf('invalid-argument', `${context}: invalid target size ${target.size}`);
  }
  return { media_type: target.mediaType, digest: parseDigest(target.digest), size: target.size };
}

function fromRow(row: Row): ImageRecord {
  return {
    name: row.name,
    target: { mediaType: row.media_type, digest: parseDigest(row.digest), size: row.size },
    labels: readLabels(row.labels),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
