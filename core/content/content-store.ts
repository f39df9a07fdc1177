import type { Readable } from 'node:stream';
import type { Digest } from './digest.js';

/**
 * Labels on a blob. They carry garbage-collection hints in containerd's
 * vocabulary (`containerd.io/gc.root`, `containerd.io/gc.ref.content.<name>`,
 * `containerd.io/gc.ref.snapshot.<snapshotter>`) and anything else callers
 * want to remember about a blob (e.g. `containerd.io/distribution.source.*`).
 */
export type Labels = Record<string, string>;

/** Label edits: a string sets the key, `null` removes it, absent keys stay as they are. */
export type LabelChanges = Record<string, string | null>;

/** What the store knows about a committed blob. */
export interface ContentInfo {
  digest: Digest;
  size: number;
  /** When the blob was committed. */
  createdAt: Date;
  /** When the blob or its labels last changed. */
  updatedAt: Date;
  labels: Labels;
}

/** An ingest in progress (or interrupted): how far it got and what it must become. */
export interface IngestStatus {
  ref: string;
  /** Bytes written so far; a resumed writer continues from here. */
  offset: number;
  /** The size declared when the ingest was opened, if any. */
  total?: number;
  /** The digest declared when the ingest was opened, if any. */
  expected?: Digest;
  startedAt: Date;
  updatedAt: Date;
}

export interface WriterOptions {
  /** The digest the content must have. If a blob with it already exists, `writer` fails with `already-exists` before anything is written. */
  expected?: string;
  /** The size the content must have; writing past it fails early. */
  size?: number;
}

export interface CommitOptions {
  /** Labels set on the blob as it is committed (also when it already existed). */
  labels?: Labels;
}

export interface PutOptions extends WriterOptions, CommitOptions {}

/** A byte range of a blob. A range running past the end is cut at the end. */
export interface ReadRange {
  offset?: number;
  length?: number;
}

/** Filters `list`: every key must be present; a string value must also match, `true` matches any value. */
export interface ListFilter {
  labels?: Record<string, string | true>;
}

export type ContentSource = Uint8Array | AsyncIterable<Uint8Array | string>;

/**
 * An open ingest. Exactly one writer holds a ref at a time; it must end with
 * `commit` or `close` (which keeps the ingest so a later writer can resume it).
 *
 * Verification failures — a wrong digest, a wrong size, writing past the
 * declared size — are `failed-precondition` with both values in the message,
 * and they discard the ingest entirely: nothing half-written remains, and the
 * writer is closed.
 */
export interface ContentWriter {
  readonly ref: string;
  /** Appends bytes. Calls may be issued without awaiting; they apply in call order. */
  write(chunk: Uint8Array): Promise<void>;
  status(): Promise<IngestStatus>;
  /** The digest of everything written so far, including bytes from before a resume. */
  digest(): Promise<Digest>;
  /**
   * Verifies the whole content against `expectedSize`/`expectedDigest` (or the
   * values given to `writer`) and makes the blob visible atomically. Throws
   * `already-exists` when the blob is already there (harmless: the content is
   * the same, the ingest is removed, commit labels are still applied).
   */
  commit(expectedSize?: number, expectedDigest?: string, options?: CommitOptions): Promise<Digest>;
  /** Releases the ref and keeps the ingest for resuming. */
  close(): Promise<void>;
}

/**
 * A content-addressed blob store, containerd's content store.
 *
 * Blobs are immutable and named by their sha256 digest; they become visible
 * only whole and verified. Writes go through named ingests (`ref`s) that
 * survive interruptions and can be resumed. Every method is async and every
 * value plain data or a byte stream, so the same contract is served over gRPC
 * by the layer-store component; `contentStoreConformance` checks it.
 *
 * Errors: a malformed digest or argument is `invalid-argument`; a missing blob
 * or ingest is `not-found`; a ref held by another writer is `unavailable`;
 * verification failures are `failed-precondition`.
 *
 * Labels are part of this contract (so remote callers can read and set them)
 * but where they are kept is the implementation's choice: `LocalContentStore`
 * delegates to a `LabelStore`, and the metadata package provides one inside its
 * database so garbage collection reads them in the same transaction as images
 * and leases.
 */
export interface ContentStore {
  info(digest: string): Promise<ContentInfo>;
  /** Applies label edits and returns the updated info. */
  updateLabels(digest: string, changes: LabelChanges): Promise<ContentInfo>;
  /** Committed blobs only, never ingests. */
  list(filter?: ListFilter): AsyncIterable<ContentInfo>;
  delete(digest: string): Promise<void>;
  /** A ranged stream; an offset past the end is `invalid-argument`. */
  reader(digest: string, range?: ReadRange): Promise<Readable>;
  readAll(digest: string): Promise<Buffer>;

  /** Opens (or resumes) the ingest `ref`. */
  writer(ref: string, options?: WriterOptions): Promise<ContentWriter>;
  /**
   * Writes a whole blob through a fresh ingest. A blob that already exists
   * counts as success (when `expected` names it, the source is not read).
   */
  put(source: ContentSource, options?: PutOptions): Promise<ContentInfo>;
  status(ref: string): Promise<IngestStatus>;
  listIngests(): Promise<IngestStatus[]>;
  /** Removes an ingest; `unavailable` while a writer holds it. */
  abort(ref: string): Promise<void>;
}
