import { open, readFile, rename, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import type { MetaTx, SnapshotMetaStore, SnapshotRecord } from './meta-store.js';

interface State {
  nextId: number;
  snapshots: Map<string, SnapshotRecord>;
}

interface StateFile {
  nextId: number;
  snapshots: SnapshotRecord[];
}

/**
 * Records in one JSON file, rewritten whole (write, fsync, rename) on every
 * update: fine for the hundreds of snapshots a node holds, and replaced by the
 * metadata database later.
 */
export class JsonMetaStore implements SnapshotMetaStore {
  private state: State | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly file: string) {}

  read<T>(fn: (tx: MetaTx) => T): Promise<T> {
    return this.serialize(async () => fn(txOver(await this.load(), () => {
      throw errorOf('internal', `snapshot metadata ${this.file}: write in a read transaction`);
    })));
  }

  update<T>(fn: (tx: MetaTx) => T): Promise<T> {
    return this.serialize(async () => {
      const draft = structuredClone(await this.load());
      const result = fn(txOver(draft, () => undefined));
      await this.save(draft);
      this.state = draft;
      return result;
    });
  }

  async close(): Promise<void> {
    await this.serialize(async () => {
      this.closed = true;
    });
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw errorOf('failed-precondition', `snapshot metadata ${this.file}: closed`);
      return op();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<State> {
    if (this.state) return this.state;
    try {
      const saved = JSON.parse(await readFile(this.file, 'utf8')) as StateFile;
      this.state = { nextId: saved.nextId, snapshots: new Map(saved.snapshots.map((r) => [r.key, r])) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw errorOf('data-loss', `snapshot metadata ${this.file}: ${(err as Error).message}`, err);
      }
      this.state = { nextId: 1, snapshots: new Map() };
    }
    return this.state;
  }

  private async save(state: State): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      const saved: StateFile = { nextId: state.nextId, snapshots: [...state.snapshots.values()] };
      await fh.writeFile(JSON.stringify(saved));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    const dir = await open(dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

function txOver(state: State, onWrite: () => void): MetaTx {
  return {
    get: (key) => state.snapshots.get(key),
    list: () => [...state.snapshots.values()],
    hasChildren: (key) => [...state.snapshots.values()].some((r) => r.parent === key),
    put: (record) => {
      onWrite();
      state.snapshots.set(record.key, record);
    },
    delete: (key) => {
      onWrite();
      state.snapshots.delete(key);
    },
    nextId: () => {
      onWrite();
      return String(state.nextId++);
    },
  };
}
