import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabelChanges } from './content-store.js';
import { digestHex, type Digest } from './digest.js';
import { applyLabelChanges, validateLabelChanges, type LabelRecord, type LabelStore } from './label-store.js';

/**
 * Labels as one small JSON file per blob (`<dir>/<hex>.json`), replaced
 * atomically by rename. The default for a stand-alone `LocalContentStore`;
 * edits to one digest are serialised within this instance.
 */
export class FileLabelStore implements LabelStore {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string) {}

  async get(digest: Digest): Promise<LabelRecord> {
    let text: string;
    try {
      text = await readFile(this.pathOf(digest), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { labels: {} };
      throw err;
    }
    const saved = JSON.parse(text) as { labels: Record<string, string>; updatedAt: string };
    return { labels: saved.labels, updatedAt: new Date(saved.updatedAt) };
  }

  async update(digest: Digest, changes: LabelChanges): Promise<LabelRecord> {
    validateLabelChanges(changes);
    return this.serialise(digest, async () => {
      const labels = applyLabelChanges((await this.get(digest)).labels, changes);
      const record = { labels, updatedAt: new Date() };
      await mkdir(this.dir, { recursive: true });
      const temp = `${this.pathOf(digest)}.${randomUUID()}.tmp`;
      await writeFile(temp, JSON.stringify(record));
      await rename(temp, this.pathOf(digest));
      return record;
    });
  }

  delete(digest: Digest): Promise<void> {
    return this.serialise(digest, () => rm(this.pathOf(digest), { force: true }));
  }

  private pathOf(digest: Digest): string {
    return join(this.dir, `${digestHex(digest)}.json`);
  }

  private serialise<T>(digest: Digest, step: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(digest) ?? Promise.resolve();
    const next = previous.then(step, step);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(digest, settled);
    void settled.then(() => {
      if (this.queues.get(digest) === settled) this.queues.delete(digest);
    });
    return next;
  }
}
