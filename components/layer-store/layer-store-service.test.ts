import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex } from '../../core/content/digest.js';
import { startComponent, type ComponentHostOptions } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import { RegistryClient } from '../../lib/component/registry-client.js';
import { RegistryState } from '../registry/registry-state.js';
import { registryBinding } from '../registry/service.js';
import { GrpcLayerStore } from './client.js';
import { layerStoreService } from './layer-store-service.js';

test('layerStoreService keeps its store under <data-root>/layers, is found through the registry, and releases the store on close', async (t) => {
  const dir = await mkdtemp('/tmp/lss-');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const registrySocket = join(dir, 'registry.sock');
  const host = (name: string, services: ComponentHostOptions['services']): ComponentHostOptions => ({
    name, socket: join(dir, `${name}.sock`), registrySocket, roots: { dataRoot: dir, execRoot: dir }, services,
    log: createLogger({ component: name }, 'error'),
  });
  const state = new RegistryState();
  state.declare({ name: 'storage', services: ['layer-store'], socket: join(dir, 'storage.sock'), placement: 'inline' });
  const registry = await startComponent(host('registry', [{ name: 'component-registry', implementation: 'test', factory: () => ({ grpc: [registryBinding(state)] }) }]));
  t.after(() => registry.close());
  const registryClient = new RegistryClient(registrySocket);
  t.after(() => registryClient.close());

  const storage = await startComponent(host('storage', [{ name: 'layer-store', implementation: 'local', factory: layerStoreService }]));
  t.after(() => storage.close());
  const store = await GrpcLayerStore.dial(registryClient);
  t.after(() => store.close());
  const { digest } = await store.content.put(Buffer.from('kept under the data root'));
  assert.ok(existsSync(join(dir, 'layers', 'content', 'blobs', 'sha256', digestHex(digest))));
  const wal = join(dir, 'layers', 'metadata.db-wal');
  assert.ok(existsSync(wal), 'the metadata database is open');
  await store.close();
  await storage.close();
  // SQLite removes the write-ahead log when the last connection closes.
  assert.equal(existsSync(wal), false, 'the metadata database is closed');

  const again = await startComponent(host('storage', [{ name: 'layer-store', implementation: 'local', factory: layerStoreService }]));
  t.after(() => again.close());
  const reopened = await GrpcLayerStore.dial(registryClient);
  t.after(() => reopened.close());
  assert.equal((await reopened.content.info(digest)).digest, digest);
});
