import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import { diskUsage } from './disk-usage.js';
import { JsonMetaStore } from './json-meta-store.js';
import type { MetaTx, SnapshotMetaStore, SnapshotRecord } from './meta-store.js';
import type {
  Mount, SnapshotInfo, SnapshotKind, SnapshotOptions, SnapshotUsage, Snapshotter,
} from './snapshotter.js';

export interface OverlaySnapshotterOptions {
  /** Where records live; a JSON file under the root when omitted. */
  store?: SnapshotMetaStore;
  clock?: () => Date;
}

/**
 * containerd's overlay snapshotter: each snapshot is `<root>/snapshots/<id>/`
 * with `fs` (the layer's own files, the overlay upper dir while active) and
 * `work` (overlay's work dir, active snapshots only). Ids are short numbers
 * because every parent's path goes into one `lowerdir=` option: with a root of
 * 30 characters a layer costs about 45 bytes, so mount(2)'s one-page option
 * limit is reached near 85 layers; past it `mountAll` mounts through fsconfig
 * (`lowerdir+`, Linux 6.8+). Overlay itself stacks at most 500 lowers.
 */
export class OverlaySnapshotter implements Snapshotter {
  private readonly dir: string;

  private constructor(root: string, private readonly store: SnapshotMetaStore, private readonly clock: () => Date) {
    this.dir = join(root, 'snapshots');
  }

  static async open(root: string, opts: OverlaySnapshotterOptions = {}): Promise<OverlaySnapshotter> {
    const s = new OverlaySnapshotter(root, opts.store ?? new JsonMetaStore(join(root, 'metadata.json')), opts.clock ?? (() => new Date()));
    await mkdir(s.dir, { recursive: true, mode: 0o700 });
    await s.removeLeftovers();
    return s;
  }

  async stat(key: string): Promise<SnapshotInfo> {
    return toInfo(await this.store.read((tx) => mustGet(tx, key)));
  }

  async list(): Promise<SnapshotInfo[]> {
    return (await this.store.read((tx) => tx.list())).map(toInfo);
  }

  async usage(key: string): Promise<SnapshotUsage> {
    const record = await this.store.read((tx) => mustGet(tx, key));
    return record.usage ?? diskUsage(this.fsDir(record.id));
  }

  async mounts(key: string): Promise<Mount[]> {
    const { record, parentIds } = await this.store.read((tx) => {
      const r = mustGet(tx, key);
      if (r.kind === 'committed') throw errorOf('failed-precondition', `snapshot ${key}: committed snapshots have no mounts`);
      return { record: r, parentIds: parentChain(tx, r) };
    });
    return this.mountsFor(record, parentIds);
  }

  prepare(key: string, parent?: string, opts?: SnapshotOptions): Promise<Mount[]> {
    return this.create('active', key, parent, opts);
  }

  view(key: string, parent?: string, opts?: SnapshotOptions): Promise<Mount[]> {
    return this.create('view', key, parent, opts);
  }

  async commit(name: string, key: string, opts?: SnapshotOptions): Promise<void> {
    checkKey(name);
    const active = await this.store.read((tx) => mustGet(tx, key));
    if (active.kind !== 'active') throw errorOf('failed-precondition', `snapshot ${key}: is ${active.kind}, not active`);
    const usage = await diskUsage(this.fsDir(active.id));
    const now = this.clock().toISOString();
    await this.store.update((tx) => {
      const current = mustGet(tx, key);
      if (current.id !== active.id || current.kind !== 'active') throw errorOf('conflict', `snapshot ${key}: changed during commit`);
      if (tx.get(name)) throw errorOf('already-exists', `snapshot ${name}: already exists`);
      tx.delete(key);
      tx.put({ ...current, key: name, kind: 'committed', usage, updated: now, labels: opts?.labels ?? current.labels });
    });
  }

  async remove(key: string): Promise<void> {
    const record = await this.store.update((tx) => {
      const r = mustGet(tx, key);
      if (tx.hasChildren(key)) throw errorOf('failed-precondition', `snapshot ${key}: has children`);
      tx.delete(key);
      return r;
    });
    // Renamed first so a crash mid-delete leaves an `rm-` dir that open() removes.
    const doomed = join(this.dir, `rm-${record.id}`);
    try {
      await rename(join(this.dir, record.id), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async create(kind: SnapshotKind, key: string, parent: string | undefined, opts?: SnapshotOptions): Promise<Mount[]> {
    checkKey(key);
    // Built under a temporary name and renamed into place once recorded, so
    // no half-made snapshot directory is ever visible under an id.
    const tmp = await mkdtemp(join(this.dir, 'new-'));
    let recorded: SnapshotRecord | undefined;
    try {
      await mkdir(join(tmp, 'fs'), { mode: 0o755 });
      if (kind === 'active') await mkdir(join(tmp, 'work'), { mode: 0o711 });
      const now = this.clock().toISOString();
      const { record, parentIds } = await this.store.update((tx) => {
        if (tx.get(key)) throw errorOf('already-exists', `snapshot ${key}: already exists`);
        const p = parent === undefined || parent === '' ? undefined : tx.get(parent);
        if (parent && !p) throw errorOf('not-found', `snapshot ${key}: parent ${parent}: not found`);
        if (p && p.kind !== 'committed') throw errorOf('invalid-argument', `snapshot ${key}: parent ${parent} is ${p.kind}, not committed`);
        const r: SnapshotRecord = { id: tx.nextId(), key, parent: p?.key, kind, labels: opts?.labels ?? {}, created: now, updated: now };
        tx.put(r);
        return { record: r, parentIds: parentChain(tx, r) };
      });
      recorded = record;
      await rename(tmp, join(this.dir, record.id));
      return this.mountsFor(record, parentIds);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (recorded) {
        const id = recorded.id;
        await this.store.update((tx) => { if (tx.get(key)?.id === id) tx.delete(key); });
      }
      throw err;
    }
  }

  private mountsFor(record: SnapshotRecord, parentIds: string[]): Mount[] {
    const own = this.fsDir(record.id);
    if (parentIds.length === 0) {
      return [{ type: 'bind', source: own, options: [record.kind === 'active' ? 'rw' : 'ro', 'rbind'] }];
    }
    const lowers = parentIds.map((id) => this.fsDir(id));
    if (record.kind === 'active') {
      const work = join(this.dir, record.id, 'work');
      return [{ type: 'overlay', source: 'overlay', options: [`workdir=${work}`, `upperdir=${own}`, `lowerdir=${lowers.join(':')}`] }];
    }
    if (lowers.length === 1) return [{ type: 'bind', source: lowers[0]!, options: ['ro', 'rbind'] }];
    return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`] }];
  }

  private fsDir(id: string): string {
    return join(this.dir, id, 'fs');
  }

  private async removeLeftovers(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('new-') || name.startsWith('rm-')) await rm(join(this.dir, name), { recursive: true, force: true });
    }
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw errorOf('invalid-argument', 'snapshot key: empty');
}

function mustGet(tx: MetaTx, key: string): SnapshotRecord {
  const r = tx.get(key);
  if (!r) throw errorOf('not-found', `snapshot ${key}: not found`);
  return r;
}

/** Ids of the parents, nearest first: the order of overlay's lowerdir list. */
function parentChain(tx: MetaTx, record: SnapshotRecord): string[] {
  const ids: string[] = [];
  for (let key = record.parent; key !== undefined; key = tx.get(key)?.parent) {
    const p = tx.get(key);
    if (!p) throw errorOf('data-loss', `snapshot ${record.key}: ancestor ${key}: missing from metadata`);
    ids.push(p.id);
  }
  return ids;
}

function toInfo(r: SnapshotRecord): SnapshotInfo {
  const info: SnapshotInfo = { key: r.key, kind: r.kind, labels: { ...r.labels }, created: new Date(r.created), updated: new Date(r.updated) };
  if (r.parent !== undefined) info.parent = r.parent;
  return info;
}
