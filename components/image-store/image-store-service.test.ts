import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chunked } from '../../core/archive/tar-fixture.js';
import { drain, field, idsOf, tinyRootfs } from '../../core/image-store/test-support.js';
import { startComponent, type ComponentHostOptions } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import { RegistryClient } from '../../lib/component/registry-client.js';
import { buildInfo } from '../../lib/component/version.js';
import { layerStoreService } from '../layer-store/layer-store-service.js';
import { RegistryState } from '../registry/registry-state.js';
import { registryBinding } from '../registry/service.js';
import { GrpcImageStore } from './client.js';
import { imageStoreService } from './image-store-service.js';

test('imageStoreService keeps its records under <data-root>/images over the layer-store component, found through the registry', async (t) => {
  const dir = await mkdtemp('/tmp/iss-');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const registrySocket = join(dir, 'registry.sock');
  const host = (name: string, services: ComponentHostOptions['services']): ComponentHostOptions => ({
    name, socket: join(dir, `${name}.sock`), registrySocket, roots: { dataRoot: dir, execRoot: dir }, services,
    log: createLogger({ component: name }, 'error'),
  });
  const state = new RegistryState();
  state.declare({ name: 'storage', services: ['layer-store'], socket: join(dir, 'storage.sock'), placement: 'inline' });
  state.declare({ name: 'images', services: ['image-store'], socket: join(dir, 'images.sock'), placement: 'inline' });
  const registry = await startComponent(host('registry', [{ name: 'component-registry', implementation: 'test', factory: () => ({ grpc: [registryBinding(state)] }) }]));
  t.after(() => registry.close());
  const registryClient = new RegistryClient(registrySocket);
  t.after(() => registryClient.close());
  const storage = await startComponent(host('storage', [{ name: 'layer-store', implementation: 'local', factory: layerStoreService }]));
  t.after(() => storage.close());
  const images = await startComponent(host('images', [{ name: 'image-store', implementation: 'local', factory: imageStoreService }]));
  t.after(() => images.close());
  const client = await GrpcImageStore.dial(registryClient);
  t.after(() => client.close());

  const id = (await drain(client.import(chunked(await tinyRootfs('svc')), { repo: 'svc:1' }))).result.id;
  assert.deepEqual(idsOf(await client.list()), [id]);
  assert.equal(field(await client.inspect('svc:1'), 'DockerVersion'), buildInfo().version);
  assert.ok(existsSync(join(dir, 'images', 'metadata.db')), 'image records in their own database');
  assert.ok(existsSync(join(dir, 'layers', 'content', 'blobs', 'sha256', id.slice(7))), 'blobs in the layer store');
  await client.close();
  await images.close();
  const again = await startComponent(host('images', [{ name: 'image-store', implementation: 'local', factory: imageStoreService }]));
  t.after(() => again.close());
  const reopened = await GrpcImageStore.dial(registryClient);
  t.after(() => reopened.close());
  assert.deepEqual(idsOf(await reopened.list()), [id], 'records survive a restart of the component');
});
