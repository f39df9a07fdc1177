import type Database from 'better-sqlite3';
import { applyLabelChanges, parseDigest, validateLabelChanges, type Digest, type LabelChanges, type LabelRecord, type Labels } from '../content/index.js';
import { readLabels } from './labels-column.js';

interface Row {
  digest: string;
  labels: string;
  updated_at: number;
}

/**
 * Blob labels kept in the metadata database, so garbage collection reads
 * `containerd.io/gc.*` hints in the same transaction as images and leases.
 * A digest with no labels has no row.
 */
export class ContentLabelTable {
  private readonly selectOne;
  private readonly selectAll;
  private readonly upsert;
  private readonly deleteOne;

  constructor(
    db: Database.Database,
    private readonly clock: () => Date,
  ) {
    this.selectOne = db.prepare<[string], Row>('SELECT * FROM content_labels WHERE digest = ?');
    this.selectAll = db.prepare<[], Row>('SELECT * FROM content_labels ORDER BY digest');
    this.upsert = db.prepare(
      'INSERT INTO content_labels VALUES (?, ?, ?) ON CONFLICT (digest) DO UPDATE SET labels = excluded.labels, updated_at = excluded.updated_at',
    );
    this.deleteOne = db.prepare<[string]>('DELETE FROM content_labels WHERE digest = ?');
  }

  get(digest: string): LabelRecord {
    const row = this.selectOne.get(parseDigest(digest));
    return row ? { labels: readLabels(row.labels), updatedAt: new Date(row.updated_at) } : { labels: {} };
  }

  update(digest: string, changes: LabelChanges): LabelRecord {
    const valid = parseDigest(digest);
    validateLabelChanges(changes);
    const labels = applyLabelChanges(this.get(valid).labels, changes);
    const updatedAt = this.clock();
    if (Object.keys(labels).length === 0) this.deleteOne.run(valid);
    else this.upsert.run(valid, JSON.stringify(labels), updatedAt.getTime());
    return { labels, updatedAt };
  }

  delete(digest: string): void {
    this.deleteOne.run(parseDigest(digest));
  }

  /** Every digest that has labels. */
  list(): { digest: Digest; labels: Labels }[] {
    return this.selectAll.all().map((row) => ({ digest: parseDigest(row.digest), labels: readLabels(row.labels) }));
  }
}
