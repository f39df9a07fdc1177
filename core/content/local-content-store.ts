import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, readFile, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import type {
  ContentInfo, ContentSource, ContentStore, ContentWriter, IngestStatus, LabelChanges, ListFilter, PutOptions,
  ReadRange, WriterOptions,
} from './content-store.js';
import { digestHex, isDigest, newDigester, parseDigest, type Digest } from './digest.js';
import { FileLabelStore } from './file-label-store.js';
import { IngestDir, readIngestRef, validateRef, type IngestMeta } from './ingest-dir.js';
import { matchesLabelFilter, validateLabelChanges, type LabelStore } from './label-store.js';
import { LocalContentWriter, type WriterHost } from './local-content-writer.js';
import { putContent } from './put-content.js';

export interface LocalContentStoreOptions {
  /** Where labels live; defaults to JSON files under `<root>/labels/sha256/`. */
  labels?: LabelStore;
}

/**
 * The content store on a local filesystem: blobs at `<root>/blobs/sha256/<hex>`
 * (read-only files), ingests at `<root>/ingest/<sha256(ref)>/`. A verified
 * ingest is fsynced and hard-linked into place, so a blob appears whole or not
 * at all, and two writers finishing the same digest cannot overwrite each
 * other (the loser sees `already-exists`).
 *
 * Which refs have a live writer is known to this instance only: one process
 * (the layer-store component) owns a root, through one instance.
 */
export class LocalContentStore implements ContentStore {
  private readonly held = new Set<string>();
  private readonly blobsDir: string;
  private readonly ingestRoot: string;
  private readonly labels: LabelStore;
  private readonly host: WriterHost;

  private constructor(root: string, options: LocalContentStoreOptions) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.ingestRoot = join(root, 'ingest');
    this.labels = options.labels ?? new FileLabelStore(join(root, 'labels', 'sha256'));
    this.host = {
      publish: (dataPath, digest) => this.publish(dataPath, digest),
      setLabels: async (digest, labels) => void (await this.labels.update(digest, labels)),
      release: (ref) => void this.held.delete(ref),
    };
  }

  /** Creates the layout if needed and drops ingests that crashed before they finished opening. */
  static async open(root: string, options: LocalContentStoreOptions = {}): Promise<LocalContentStore> {
    const store = new LocalContentStore(root, options);
    await mkdir(store.blobsDir, { recursive: true });
    await mkdir(store.ingestRoot, { recursive: true });
    for (const name of await readdir(store.ingestRoot)) {
      const path = join(store.ingestRoot, name);
      if ((await readIngestRef(path)) === undefined) await rm(path, { recursive: true, force: true });
    }
    return store;
  }

  async info(digest: string): Promise<ContentInfo> {
    const valid = parseDigest(digest);
    const stats = await stat(this.blobPath(valid)).catch((err) => this.notFound(err, valid));
    const { labels, updatedAt } = await this.labels.get(valid);
    const newest = updatedAt && updatedAt > stats.mtime ? updatedAt : stats.mtime;
    return { digest: valid, size: stats.size, createdAt: stats.mtime, updatedAt: newest, labels };
  }

  async updateLabels(digest: string, changes: LabelChanges): Promise<ContentInfo> {
    const valid = parseDigest(digest);
    validateLabelChanges(changes);
    await this.info(valid);
    await this.labels.update(valid, changes);
    return this.info(valid);
  }

  async *list(filter?: ListFilter): AsyncIterable<ContentInfo> {
    for (const name of await readdir(this.blobsDir)) {
      const digest = `sha256:${name}`;
      if (!isDigest(digest)) continue;
      const info = await this.info(digest).catch((err) => {
        if (isKind(err, 'not-found')) return undefined;
        throw err;
      });
      if (info && matchesLabelFilter(info.labels, filter)) yield info;
    }
  }

  async delete(digest: string): Promise<void> {
    const valid = parseDigest(digest);
    await unlink(this.blobPath(valid)).catch((err) => this.notFound(err, valid));
    await this.labels.delete(valid);
  }

  async reader(digest: string, range: ReadRange = {}): Promise<Readable> {
    const valid = parseDigest(digest);
    const offset = checkCount(range.offset ?? 0, 'offset');
    const length = range.length === undefined ? undefined : checkCount(range.length, 'length');
    const file = await open(this.blobPath(valid), 'r').catch((err) => this.notFound(err, valid));
    try {
      const { size } = await file.stat();
      if (offset > size) throw errorOf('invalid-argument', `content ${valid}: offset ${offset} is past the end (${size} bytes)`);
      const end = Math.min(size, length === undefined ? size : offset + length);
      if (end === offset) {
        await file.close();
        return Readable.from([]);
      }
      return file.createReadStream({ start: offset, end: end - 1, autoClose: true });
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /**
   * The file holding a committed blob, for readers that open it themselves (a worker
   * thread); `not-found` when there is none. The file is read-only and never rewritten.
   */
  async blobFile(digest: string): Promise<string> {
    const valid = parseDigest(digest);
    await stat(this.blobPath(valid)).catch((err) => this.notFound(err, valid));
    return this.blobPath(valid);
  }

  async readAll(digest: string): Promise<Buffer> {
    const valid = parseDigest(digest);
    return readFile(this.blobPath(valid)).catch((err) => this.notFound(err, valid));
  }

  async writer(ref: string, options: WriterOptions = {}): Promise<ContentWriter> {
    validateRef(ref);
    const expected = options.expected === undefined ? undefined : parseDigest(options.expected);
    const total = options.size === undefined ? undefined : checkCount(options.size, 'size');
    if (this.held.has(ref)) throw errorOf('unavailable', `ingest ${ref}: locked by another writer`);
    this.held.add(ref);
    let file: FileHandle | undefined;
    try {
      if (expected && (await this.exists(expected))) throw errorOf('already-exists', `content ${expected}: already exists`);
      const dir = new IngestDir(this.ingestRoot, ref);
      const meta = await this.openMeta(dir, expected, total);
      file = await open(dir.dataPath, 'a');
      const digester = newDigester();
      const offset = await dir.hashData(digester);
      return new LocalContentWriter(dir, meta, file, digester, offset, this.host);
    } catch (err) {
      await file?.close();
      this.held.delete(ref);
      throw err;
    }
  }

  async put(source: ContentSource, options: PutOptions = {}): Promise<ContentInfo> {
    return putContent(this, `put-${randomUUID()}`, source, options);
  }

  async status(ref: string): Promise<IngestStatus> {
    validateRef(ref);
    return new IngestDir(this.ingestRoot, ref).status();
  }

  async listIngests(): Promise<IngestStatus[]> {
    const statuses: IngestStatus[] = [];
    for (const name of await readdir(this.ingestRoot)) {
      const ref = await readIngestRef(join(this.ingestRoot, name));
      if (ref === undefined) continue;
      const status = await new IngestDir(this.ingestRoot, ref).status().catch(() => undefined);
      if (status) statuses.push(status);
    }
    return statuses;
  }

  async abort(ref: string): Promise<void> {
    validateRef(ref);
    if (this.held.has(ref)) throw errorOf('unavailable', `ingest ${ref}: locked by another writer`);
    const dir = new IngestDir(this.ingestRoot, ref);
    if (!(await dir.readMeta())) throw errorOf('not-found', `ingest ${ref}: not found`);
    await dir.remove();
  }

  /** A resumed ingest keeps its meta; declarations may be added but not contradicted. */
  private async openMeta(dir: IngestDir, expected?: Digest, total?: number): Promise<IngestMeta> {
    const saved = await dir.readMeta();
    if (saved) {
      conflict(dir.ref, 'digest', saved.expected, expected);
      conflict(dir.ref, 'size', saved.total, total);
      const meta = { ...saved, expected: saved.expected ?? expected, total: saved.total ?? total };
      if (meta.expected !== saved.expected || meta.total !== saved.total) await dir.writeMeta(meta);
      return meta;
    }
    await dir.remove();
    await mkdir(dir.path, { recursive: true });
    const meta: IngestMeta = { ref: dir.ref, expected, total, startedAt: new Date().toISOString() };
    await dir.writeMeta(meta);
    return meta;
  }

  private async publish(dataPath: string, digest: Digest): Promise<boolean> {
    try {
      await link(dataPath, this.blobPath(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    await chmod(this.blobPath(digest), 0o444);
    const dir = await open(this.blobsDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return true;
  }

  private exists(digest: Digest): Promise<boolean> {
    return stat(this.blobPath(digest)).then(
      () => true,
      () => false,
    );
  }

  private blobPath(digest: Digest): string {
    return join(this.blobsDir, digestHex(digest));
  }

  private notFound(err: unknown, digest: Digest): never {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw errorOf('not-found', `content ${digest}: not found`);
    throw err;
  }
}

function checkCount(value: number, what: string): number {
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw errorOf('invalid-argument', `invalid ${what} ${value}: must be a non-negative integer`);
}

function conflict<T>(ref: string, what: string, saved: T | undefined, given: T | undefined): void {
  if (saved !== undefined && given !== undefined && saved !== given) {
    throw errorOf('failed-precondition', `ingest ${ref}: expected ${what} ${String(given)} differs from the resumed ingest's ${String(saved)}`);
  }
}
