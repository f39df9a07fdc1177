import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import type { IngestStatus } from './content-store.js';
import { isDigest, type Digest, type Digester } from './digest.js';

/** What an ingest must become, saved beside its data so a later writer can resume it. */
export interface IngestMeta {
  ref: string;
  expected?: Digest;
  total?: number;
  startedAt: string;
}

/** Refs are caller-chosen names (`layer-sha256:…`); anything printable up to 1 KiB. */
export function validateRef(ref: string): void {
  if (typeof ref !== 'string' || ref === '' || ref.length > 1024 || ref.includes('\0')) {
    throw errorOf('invalid-argument', `invalid ingest ref ${JSON.stringify(String(ref).slice(0, 100))}`);
  }
}

/** The ref an ingest directory belongs to, or undefined when its meta is missing or unreadable. */
export async function readIngestRef(path: string): Promise<string | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(path, 'meta.json'), 'utf8')) as Partial<IngestMeta>;
    return typeof meta.ref === 'string' ? meta.ref : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One ingest on disk: `<ingest-root>/<sha256(ref)>/{meta.json,data}`.
 * The directory is named by a hash of the ref because refs may hold `/` and `:`.
 */
export class IngestDir {
  readonly path: string;
  readonly dataPath: string;
  private readonly metaPath: string;

  constructor(
    ingestRoot: string,
    readonly ref: string,
  ) {
    this.path = join(ingestRoot, createHash('sha256').update(ref).digest('hex'));
    this.dataPath = join(this.path, 'data');
    this.metaPath = join(this.path, 'meta.json');
  }

  /** The saved meta, or undefined when the ingest does not exist or never finished opening. */
  async readMeta(): Promise<IngestMeta | undefined> {
    try {
      const meta = JSON.parse(await readFile(this.metaPath, 'utf8')) as IngestMeta;
      const valid = meta.ref === this.ref && (meta.expected === undefined || isDigest(meta.expected));
      return valid ? meta : undefined;
    } catch {
      return undefined;
    }
  }

  async writeMeta(meta: IngestMeta): Promise<void> {
    const temp = `${this.metaPath}.${randomUUID()}.tmp`;
    await writeFile(temp, JSON.stringify(meta));
    await rename(temp, this.metaPath);
  }

  async status(): Promise<IngestStatus> {
    const meta = await this.readMeta();
    if (!meta) throw errorOf('not-found', `ingest ${this.ref}: not found`);
    const data = await stat(this.dataPath).catch(() => undefined);
    const status: IngestStatus = {
      ref: this.ref,
      offset: data?.size ?? 0,
      startedAt: new Date(meta.startedAt),
      updatedAt: data?.mtime ?? new Date(meta.startedAt),
    };
    if (meta.total !== undefined) status.total = meta.total;
    if (meta.expected !== undefined) status.expected = meta.expected;
    return status;
  }

  /** Feeds the bytes already written into `digester` and returns how many there were. */
  async hashData(digester: Digester): Promise<number> {
    let offset = 0;
    try {
      for await (const chunk of createReadStream(this.dataPath)) {
        digester.update(chunk as Buffer);
        offset += (chunk as Buffer).length;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return offset;
  }

  remove(): Promise<void> {
    return rm(this.path, { recursive: true, force: true });
  }
}
