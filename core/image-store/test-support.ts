/**
 * For tests: an image store over a `LocalLayerStore` in a temporary directory, tiny
 * rootfs tars, and helpers that drain progress streams and archives.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chunked, tarOf, type FixtureEntry } from '../archive/tar-fixture.js';
import type { EventDraft } from '../events/event-message.js';
import type { LayerStore } from '../layers/layer-store.js';
import { LocalLayerStore } from '../layers/local-layer-store.js';
import type { ImageStore, Json, JsonMessage, ProgressEvent } from './image-store.js';
import { LocalImageStore } from './local-image-store.js';

export interface TestStore {
  store: LocalImageStore;
  layers: LocalLayerStore;
  root: string;
  /** Moves the store's clock. */
  setTime(time: string): void;
  /** The image events the store published, in order. */
  events: EventDraft[];
}

/** A fresh store under a temporary directory, closed and removed after the test, pass or fail. */
export async function tempImageStore(t: TestContext, time = '2024-05-06T07:08:09.123Z'): Promise<TestStore> {
  const root = await mkdtemp(join(tmpdir(), 'moby-images-'));
  let now = new Date(time);
  let layers: LocalLayerStore | undefined;
  let store: LocalImageStore | undefined;
  t.after(async () => {
    await store?.close();
    await layers?.close();
    await rm(root, { recursive: true, force: true });
  });
  const events: EventDraft[] = [];
  layers = await LocalLayerStore.open(join(root, 'layers'));
  store = await LocalImageStore.open({
    root: join(root, 'images'), layers, clock: () => now, dockerVersion: '0.1.0-test', publish: (event) => void events.push(event),
  });
  return { store, layers, root, setTime: (t2) => (now = new Date(t2)), events };
}

let busybox: Buffer | undefined;

/** A busybox rootfs: `bin/busybox` and a few applet links, plus `extra` files. */
export async function busyboxRootfs(extra: FixtureEntry[] = []): Promise<Buffer> {
  busybox ??= readFileSync('/bin/busybox');
  return tarOf([
    { name: 'bin/', mode: 0o755 },
    { name: 'bin/busybox', content: busybox, mode: 0o755 },
    ...['sh', 'ls', 'echo'].map((applet) => ({ name: `bin/${applet}`, type: 'symlink' as const, linkname: 'busybox' })),
    ...extra,
  ]);
}

/** A one-file rootfs, for tests that need distinct images, not a runnable one. */
export function tinyRootfs(text: string): Promise<Buffer> {
  return tarOf([{ name: 'etc/' }, { name: 'etc/note', content: text }]);
}

/** Drains a progress stream: its messages and its result; fails when there is no result. */
export async function drain<T>(events: AsyncIterable<ProgressEvent<T>>): Promise<{ messages: JsonMessage[]; result: T }> {
  const messages: JsonMessage[] = [];
  let result: T | undefined;
  for await (const event of events) {
    if ('message' in event) messages.push(event.message);
    else result = event.result;
  }
  assert.ok(result !== undefined, 'the stream ended without a result');
  return { messages, result };
}

export async function importTar(store: ImageStore, tar: Buffer, repo?: string, changes?: string[]): Promise<string> {
  return (await drain(store.import(chunked(tar, 64 * 1024), { repo, changes }))).result.id;
}

export async function loadTar(store: ImageStore, tar: Buffer) {
  return drain(store.load(chunked(tar, 64 * 1024)));
}

export async function bytesOf(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function blobDigests(layers: LayerStore): Promise<string[]> {
  const out: string[] = [];
  for await (const info of layers.content.list()) out.push(info.digest);
  return out.sort();
}

export async function snapshotKeys(layers: LayerStore): Promise<string[]> {
  return (await layers.snapshots.list()).map((s) => s.key).sort();
}

/** Asserts the layer store holds nothing at all, without collecting first: no blob, snapshot, ingest or image holder. */
export async function assertEmpty(layers: LayerStore): Promise<void> {
  assert.deepEqual(await blobDigests(layers), [], 'blobs left');
  assert.deepEqual(await snapshotKeys(layers), [], 'snapshots left');
  assert.deepEqual(await layers.content.listIngests(), [], 'ingests left');
  assert.deepEqual(await layers.listHolders('image'), [], 'holders left');
}

/** The `Id`s of `list`'s summaries. */
export function idsOf(list: Json[]): string[] {
  return list.map((s) => (s as { Id: string }).Id);
}

export function field<T = Json>(doc: Json, key: string): T {
  return (doc as Record<string, Json>)[key] as T;
}
