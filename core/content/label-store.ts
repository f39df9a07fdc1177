import { errorOf } from '../../lib/errdefs/index.js';
import type { LabelChanges, Labels, ListFilter } from './content-store.js';
import type { Digest } from './digest.js';

export interface LabelRecord {
  labels: Labels;
  /** When the labels last changed; absent when the blob never had any. */
  updatedAt?: Date;
}

/**
 * Where a content store keeps blob labels. Implementations must apply each
 * `update` atomically (no lost edits when two run at once) and keep nothing
 * for a digest after `delete`.
 */
export interface LabelStore {
  /** Empty labels, not an error, for a digest that has none. */
  get(digest: Digest): Promise<LabelRecord>;
  update(digest: Digest, changes: LabelChanges): Promise<LabelRecord>;
  delete(digest: Digest): Promise<void>;
}

/** containerd's limit: a label's key and value together stay under 4 KiB. */
const maxLabelBytes = 4096;

/** Throws `invalid-argument` for an empty key, a non-string value, or an oversized label. */
export function validateLabelChanges(changes: LabelChanges): void {
  for (const [key, value] of Object.entries(changes)) {
    if (key === '') throw errorOf('invalid-argument', 'label key must not be empty');
    if (value !== null && typeof value !== 'string') {
      throw errorOf('invalid-argument', `label ${key}: value must be a string or null`);
    }
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value ?? '');
    if (bytes > maxLabelBytes) {
      throw errorOf('invalid-argument', `label ${key}: ${bytes} bytes exceeds the ${maxLabelBytes}-byte limit`);
    }
  }
}

export function applyLabelChanges(labels: Labels, changes: LabelChanges): Labels {
  const next: Labels = { ...labels };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

export function matchesLabelFilter(labels: Labels, filter: ListFilter | undefined): boolean {
  for (const [key, want] of Object.entries(filter?.labels ?? {})) {
    if (!Object.hasOwn(labels, key)) return false;
    if (want !== true && labels[key] !== want) return false;
  }
  return true;
}
