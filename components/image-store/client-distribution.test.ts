import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageStore, PullOptions } from '../../core/image-store/image-store.js';
import { blobDigests, busyboxRootfs, drain, field, importTar, snapshotKeys } from '../../core/image-store/test-support.js';
import { randomLayer } from '../../core/distribution/test-image.js';
import { startRegistry } from '../../core/distribution/test-registry.js';
import { isKind } from '../../lib/errdefs/index.js';
import { serveImageStore } from './test-fixture.js';

/** `store` with `pull` reporting, through `settled`, when the server has finished with it. */
function watchPulls(store: ImageStore): { store: ImageStore; settled: () => Promise<void> } {
  let last: Promise<void> = Promise.resolve();
  const pull = (ref: string, opts?: PullOptions) => {
    let done!: () => void;
    last = new Promise((resolve) => (done = resolve));
    return (async function* () {
      try {
        yield* store.pull(ref, opts);
      } finally {
        done();
      }
    })();
  };
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'pull') return pull;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, settled: () => last };
}

test('GrpcImageStore pushes and pulls through the component, with the errors and kinds of the local store', async (t) => {
  const registry = await startRegistry(t);
  const source = await serveImageStore();
  t.after(() => source.cleanup());
  const id = await importTar(source.client, await busyboxRootfs(), `${registry.host}/bb:1`);
  const pushed = await drain(source.client.push(`${registry.host}/bb:1`));
  const { digest } = pushed.result.pushed[0]!;
  assert.deepEqual(pushed.messages.at(-1), { progressDetail: {}, aux: { Tag: '1', Digest: digest, Size: pushed.result.pushed[0]!.size } });

  const target = await serveImageStore();
  t.after(() => target.cleanup());
  const pulled = await drain(target.client.pull(`${registry.host}/bb:1`));
  assert.deepEqual(pulled.result.images, [{ id, reference: `${registry.host}/bb:1`, repoDigest: `${registry.host}/bb@${digest}` }]);
  assert.deepEqual(field(await target.client.inspect(`${registry.host}/bb:1`), 'RepoDigests'), [`${registry.host}/bb@${digest}`]);

  const messages: unknown[] = [];
  await assert.rejects(async () => {
    for await (const event of target.client.pull(`${registry.host}/bb:nope`)) messages.push(event);
  }, (err: Error) => isKind(err, 'not-found') && err.message === `manifest for ${registry.host}/bb:nope not found: manifest unknown: manifest unknown`);
  assert.deepEqual(messages, [], 'the error comes before any message');
  await assert.rejects(target.client.login({ username: 'u', password: 'p', serveraddress: '127.0.0.1:1' }), (err: Error) => isKind(err, 'unavailable'));
});

test('GrpcImageStore.pull cancelled by its signal stops the pull on the server, which keeps nothing of it', async (t) => {
  const registry = await startRegistry(t);
  const source = await serveImageStore();
  t.after(() => source.cleanup());
  await importTar(source.client, await randomLayer('big', 16 * 1024 * 1024), `${registry.host}/big:1`);
  await drain(source.client.push(`${registry.host}/big:1`));

  const watch = { settled: async () => undefined } as { settled: () => Promise<void> };
  const target = await serveImageStore((store) => {
    const w = watchPulls(store);
    watch.settled = w.settled;
    return w.store;
  });
  t.after(() => target.cleanup());
  const controller = new AbortController();
  await assert.rejects(async () => {
    for await (const event of target.client.pull(`${registry.host}/big:1`, { signal: controller.signal })) {
      if ('message' in event) controller.abort();
    }
  }, (err: Error) => isKind(err, 'cancelled'));
  await watch.settled();
  assert.deepEqual(await target.local.list(), []);
  assert.deepEqual(await blobDigests(target.layers), []);
  assert.deepEqual(await snapshotKeys(target.layers), []);
});
