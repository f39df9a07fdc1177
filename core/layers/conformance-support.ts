import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tarOf, tgzOf, type FixtureEntry } from '../archive/tar-fixture.js';
import { digestOf, type Labels } from '../content/index.js';
import { mountAll, unmount } from '../snapshots/index.js';
import type { LayerDescriptor, LayerStore } from './layer-store.js';

export interface LayerStoreFixture {
  store: LayerStore;
  /**
   * The store's root, laid out as `LocalLayerStore`'s (`content/`,
   * `snapshots/`), for the on-disk checks; they are skipped without it.
   */
  root?: string;
  /** Closes the store and removes everything it made, pass or fail. */
  cleanup(): Promise<void>;
}

/** Registers one conformance test that gets a fresh fixture. */
export type CaseRegistrar = (title: string, body: (fixture: LayerStoreFixture, t: TestContext) => Promise<void>) => void;

/** The bottom layer: a few files, two of which the top layer hides. */
export const bottomEntries: FixtureEntry[] = [
  { name: 'etc/' },
  { name: 'etc/passwd', content: 'root:x:0:0' },
  { name: 'etc/hosts', content: '127.0.0.1 localhost' },
  { name: 'opt/' },
  { name: 'opt/dir/' },
  { name: 'opt/dir/a', content: 'old a' },
  { name: 'keep.txt', content: 'kept' },
];

/** The top layer: a whiteout (`etc/hosts`) and an opaque directory (`opt/dir`). */
export const topEntries: FixtureEntry[] = [
  { name: 'etc/' },
  { name: 'etc/.wh.hosts', content: '' },
  { name: 'opt/' },
  { name: 'opt/dir/' },
  { name: 'opt/dir/.wh..wh..opq', content: '' },
  { name: 'opt/dir/c', content: 'new c' },
  { name: 'new.txt', content: 'added' },
];

/** What a view of top on bottom shows. */
export const mergedTree = {
  'etc': 'dir',
  'etc/passwd': 'root:x:0:0',
  'keep.txt': 'kept',
  'new.txt': 'added',
  'opt': 'dir',
  'opt/dir': 'dir',
  'opt/dir/c': 'new c',
};

export interface PutLayers {
  layers: LayerDescriptor[];
  diffIds: string[];
}

/**
 * Writes layers as blobs (the first gzipped, the rest plain tars), each
 * recorded in `lease` before it is written, and returns their descriptors and
 * diff IDs.
 */
export async function putLayers(store: LayerStore, entries: FixtureEntry[][], lease?: string): Promise<PutLayers> {
  const out: PutLayers = { layers: [], diffIds: [] };
  for (const [i, layer] of entries.entries()) {
    const tar = await tarOf(layer);
    const blob = i === 0 ? await tgzOf(layer) : tar;
    const mediaType = i === 0 ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar';
    out.layers.push({ digest: await putBlob(store, blob, lease), mediaType, size: blob.length });
    out.diffIds.push(digestOf(tar));
  }
  return out;
}

/** Puts one blob, recorded in `lease` first so no collection can take it in between. */
export async function putBlob(store: LayerStore, data: Buffer, lease?: string, labels?: Labels): Promise<string> {
  const digest = digestOf(data);
  if (lease !== undefined) await store.addToLease(lease, { kind: 'content', id: digest });
  return (await store.content.put(data, { expected: digest, labels })).digest;
}

export async function blobDigests(store: LayerStore): Promise<string[]> {
  const digests: string[] = [];
  for await (const info of store.content.list()) digests.push(info.digest);
  return digests.sort();
}

export async function snapshotKeys(store: LayerStore): Promise<string[]> {
  return (await store.snapshots.list()).map((s) => s.key).sort();
}

/** Mounts a view of `key`, reads every path under it, then unmounts and removes the view (also on failure). */
export async function viewTree(t: TestContext, store: LayerStore, key: string): Promise<Record<string, string>> {
  const target = mkdtempSync(join(tmpdir(), 'moby-layers-view-'));
  const view = `view-${randomUUID()}`;
  t.after(async () => {
    await unmount(target, { detach: true });
    rmSync(target, { recursive: true, force: true });
  });
  const mounts = await store.snapshots.view(view, key);
  try {
    await mountAll(mounts, target);
    try {
      return tree(target);
    } finally {
      await unmount(target);
    }
  } finally {
    await store.snapshots.remove(view);
  }
}

/** Every path under `dir` with its content, symlink target or `dir`. */
export function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = lstatSync(join(dir, rel));
    if (st.isDirectory()) Object.assign(out, { [rel]: 'dir' }, tree(dir, rel));
    else if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(join(dir, rel))}`;
    else out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

/** Asserts nothing remains on disk of blobs or snapshots under a `LocalLayerStore` layout. */
export function assertNothingOnDisk(root: string | undefined): void {
  if (root === undefined) return;
  assert.deepEqual(readdirSync(join(root, 'content', 'blobs', 'sha256')), [], 'blob files left');
  assert.deepEqual(readdirSync(join(root, 'snapshots')), [], 'snapshot directories left');
}
