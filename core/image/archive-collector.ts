import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorOf, wrap } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import type { TarEntry } from '../archive/index.js';
import { archivePath, digestInName, symlinkTarget } from './archive-path.js';
import type { BlobKind, BlobSink } from './blob-sink.js';
import { HashTap } from './hash-tap.js';

/** What a format reader knows a file must be. */
export interface Want {
  kind: BlobKind;
  expected?: Digest;
  mediaType?: string;
}

/** A file as read from the archive, and where its bytes are now. */
export interface ArchiveFile {
  path: string;
  digest: Digest;
  size: number;
  /** The first bytes, to tell compression. */
  head: Buffer;
}

interface FileRecord extends ArchiveFile {
  data?: Buffer;
  spool?: string;
  stored?: boolean;
}

/** Top-level files that describe an archive; always read into memory. */
export const metadataFiles = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories']);
const MAX_METADATA = 20 * 1024 * 1024;
/** Configs, manifests and indexes are held in memory to be parsed. */
export const MAX_DOCUMENT = 16 * 1024 * 1024;
/** Unclaimed files this small wait in memory; larger ones are spooled to disk. */
const SMALL_FILE = 1024 * 1024;
const MEMORY_BUDGET = 32 * 1024 * 1024;
const MAX_LINK_HOPS = 40;

/**
 * Takes an archive's entries in one pass and keeps each file until the format
 * reader knows what it is: metadata and small files in memory, the rest
 * spooled under `spoolDir`. A file already known to be a layer when it
 * arrives goes straight to the sink without touching the disk. Every file is
 * hashed as it passes; `store` verifies digests named by the archive before a
 * blob reaches the sink.
 */
export class ArchiveCollector {
  readonly metadata = new Map<string, Buffer>();
  /** Called as each metadata file arrives, to learn what the other files are. */
  onMetadata: (path: string, data: Buffer) => void = () => undefined;
  /** Called once for each wanted document (config, manifest, index) as soon as its bytes are known. */
  onDocument: (path: string, want: Want, data: Buffer) => void = () => undefined;

  private readonly files = new Map<string, FileRecord>();
  private readonly links = new Map<string, string>();
  private readonly others = new Set<string>();
  private readonly wants = new Map<string, Want>();
  private readonly documented = new Set<string>();
  private memoryUsed = 0;
  private spoolCount = 0;

  constructor(private readonly sink: BlobSink, private readonly spoolDir: string) {}

  async add(entry: TarEntry): Promise<void> {
    const { header } = entry;
    const path = archivePath(header.name);
    if (header.type === 'directory' || path === '') return;
    if (this.files.has(path) || this.links.has(path) || this.others.has(path) || this.metadata.has(path)) {
      throw errorOf('invalid-argument', `archive entry ${JSON.stringify(path)} appears more than once`);
    }
    if (header.type === 'symlink' || header.type === 'link') {
      const target = header.type === 'symlink' ? symlinkTarget(path, header.linkname) : archivePath(header.linkname, 'hard link target');
      this.links.set(path, target);
      const want = this.wants.get(path);
      if (want) this.want(target, want);
      return;
    }
    if (header.type !== 'file') {
      this.others.add(path);
      return;
    }
    if (metadataFiles.has(path)) {
      const data = await readLimited(entry.body, header.size, MAX_METADATA, path);
      this.metadata.set(path, data);
      this.onMetadata(path, data);
      return;
    }
    const want = this.wants.get(path);
    this.files.set(path, await this.take(path, header.size, entry.body, want));
    if (want) this.document(path, want);
  }

  /** Known layers go to the sink, documents and small files to memory, the rest to the spool. */
  private async take(path: string, size: number, body: AsyncIterable<Uint8Array>, want: Want | undefined): Promise<FileRecord> {
    if (want?.kind === 'layer') return this.sendNow(path, size, body, want);
    if (want || (size <= SMALL_FILE && this.memoryUsed + size <= MEMORY_BUDGET)) return this.keep(path, size, body, want);
    return this.spoolFile(path, body);
  }

  /** Declares what the file at `path` (followed through links seen so far) is. */
  want(path: string, want: Want): void {
    const resolved = this.follow(path);
    const old = this.wants.get(resolved);
    this.wants.set(resolved, old ? { ...want, ...old, expected: old.expected ?? want.expected, mediaType: old.mediaType ?? want.mediaType } : want);
    if (this.files.has(resolved)) this.document(resolved, this.wants.get(resolved)!);
  }

  /** The regular file `path` names (through links), or undefined if there is none. */
  lookup(path: string): ArchiveFile | undefined {
    const resolved = this.follow(path);
    if (this.others.has(resolved)) throw errorOf('invalid-argument', `archive entry ${JSON.stringify(resolved)} is not a regular file`);
    return this.files.get(resolved);
  }

  /** The bytes of a document-sized file. */
  async bytes(file: ArchiveFile): Promise<Buffer> {
    const record = this.files.get(file.path)!;
    if (record.data) return record.data;
    if (record.size > MAX_DOCUMENT) throw errorOf('invalid-argument', `archive file ${JSON.stringify(file.path)} is too large (${record.size} bytes, at most ${MAX_DOCUMENT})`);
    return readFile(record.spool!);
  }

  /**
   * Hands a file to the sink (once), after checking it against the digest
   * `want` or its name promises: a mismatch is `invalid-argument`.
   */
  async store(file: ArchiveFile, want: Want): Promise<void> {
    const record = this.files.get(file.path)!;
    this.verify(record, want);
    if (record.stored) return;
    const data = record.data ? Readable.from([record.data]) : createReadStream(record.spool!);
    try {
      const stored = await this.sink.putBlob(record.digest, data, { kind: want.kind, size: record.size, mediaType: want.mediaType, path: record.path });
      if (stored.digest !== record.digest) throw errorOf('internal', `blob sink stored ${stored.digest} for ${record.digest}`);
    } catch (err) {
      throw wrap(err, `store ${record.path} from the archive`);
    } finally {
      data.destroy();
    }
    record.stored = true;
    // Layers are not read again: free the disk now rather than at the end.
    if (record.spool && want.kind === 'layer') await rm(record.spool, { force: true });
  }

  /** Refuses a file whose digest is not the one `want` or its name promises (`invalid-argument`). */
  verify(file: ArchiveFile, want: Want): void {
    checkDigest(file, want.expected ?? digestInName(file.path, want.kind === 'config'));
  }

  private document(path: string, want: Want): void {
    const record = this.files.get(path)!;
    if (want.kind === 'layer' || !record.data || this.documented.has(path)) return;
    this.documented.add(path);
    this.onDocument(path, want, record.data);
  }

  private follow(path: string): string {
    let current = path;
    for (let hops = 0; this.links.has(current); hops++) {
      if (hops >= MAX_LINK_HOPS) throw errorOf('invalid-argument', `archive entry ${JSON.stringify(path)}: too many levels of links`);
      current = this.links.get(current)!;
    }
    return current;
  }

  private async keep(path: string, size: number, body: AsyncIterable<Uint8Array>, want: Want | undefined): Promise<FileRecord> {
    const tap = new HashTap();
    const data = await readLimited(tap.wrap(body), size, want ? MAX_DOCUMENT : SMALL_FILE, path);
    this.memoryUsed += data.length;
    return { path, digest: tap.digest(), size: data.length, head: tap.head, data };
  }

  private async spoolFile(path: string, body: AsyncIterable<Uint8Array>): Promise<FileRecord> {
    const spool = join(this.spoolDir, String(++this.spoolCount));
    const tap = new HashTap();
    await pipeline(Readable.from(tap.wrap(body)), createWriteStream(spool));
    return { path, digest: tap.digest(), size: tap.size, head: tap.head, spool };
  }

  /** Streams a file already known to be a layer straight into the sink. */
  private async sendNow(path: string, size: number, body: AsyncIterable<Uint8Array>, want: Want): Promise<FileRecord> {
    const tap = new HashTap();
    const expected = want.expected ?? digestInName(path);
    const data = Readable.from(tap.wrap(body));
    let stored: { digest: Digest; size: number };
    try {
      stored = await this.sink.putBlob(expected, data, { kind: want.kind, size, mediaType: want.mediaType, path });
    } catch (err) {
      if (tap.complete) checkDigest({ path, digest: tap.digest() }, expected);
      throw wrap(err, `store ${path} from the archive`);
    } finally {
      data.destroy();
    }
    if (tap.complete) {
      checkDigest({ path, digest: tap.digest() }, expected);
      if (stored.digest !== tap.digest()) throw errorOf('internal', `blob sink stored ${stored.digest} for ${tap.digest()}`);
    } else if (expected === undefined || stored.digest !== expected) {
      throw errorOf('internal', `blob sink stopped reading ${path} without naming the blob it holds`);
    }
    return { path, digest: stored.digest, size, head: tap.head, stored: true };
  }
}

function checkDigest(file: { path: string; digest: Digest }, expected: Digest | undefined): void {
  if (expected !== undefined && file.digest !== expected) {
    throw errorOf('invalid-argument', `archive file ${JSON.stringify(file.path)} has digest ${file.digest}, not ${expected} as the archive says`);
  }
}

async function readLimited(body: AsyncIterable<Uint8Array>, size: number, limit: number, path: string): Promise<Buffer> {
  if (size > limit) throw errorOf('invalid-argument', `archive file ${JSON.stringify(path)} is too large (${size} bytes, at most ${limit})`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
