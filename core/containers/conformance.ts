import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind, type ErrorKind } from '../../lib/errdefs/index.js';
import { setRunning, type ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import { idWithPrefix, sampleRecord } from './test-fixtures.js';

export interface ContainerStoreFixture {
  store: ContainerStore;
  cleanup?: () => Promise<void> | void;
}

async function rejectsWith(promise: Promise<unknown>, kind: ErrorKind, message?: string | RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKind(err, kind), `expected ${kind}, got ${String(err)}`);
    if (typeof message === 'string') assert.equal((err as Error).message, message);
    else if (message) assert.match((err as Error).message, message);
    return true;
  });
}

/**
 * The contract of `ContainerStore`, for every implementation: call it from a
 * test file with a factory that returns a fresh, empty store.
 */
export function containerStoreConformance(label: string, factory: () => Promise<ContainerStoreFixture> | ContainerStoreFixture): void {
  describe(`ContainerStore conformance: ${label}`, () => {
    async function withStore(fn: (store: ContainerStore) => Promise<void>): Promise<void> {
      const fixture = await factory();
      try {
        await fn(fixture.store);
      } finally {
        await fixture.store.close();
        await fixture.cleanup?.();
      }
    }

    it('creates and gets by full id, name with and without /, and unique prefix', () =>
      withStore(async (store) => {
        const rec = sampleRecord({ name: 'sleeper' });
        const created = await store.create(rec);
        assert.equal(created.name, '/sleeper');
        for (const ref of [rec.id, '/sleeper', 'sleeper', rec.id.slice(0, 12), rec.id.slice(0, 1)]) {
          assert.deepEqual(await store.get(ref), created, ref);
        }
      }));

    it('reports a missing container with Docker\'s text', () =>
      withStore(async (store) => {
        await rejectsWith(store.get('nosuch'), 'not-found', 'No such container: nosuch');
        await rejectsWith(store.get('abcdef'), 'not-found', 'No such container: abcdef');
        assert.equal(await store.find('nosuch'), undefined);
      }));

    it('refuses an ambiguous prefix, but a full id or name still wins', () =>
      withStore(async (store) => {
        const a = sampleRecord({ id: idWithPrefix('abc1') });
        const b = sampleRecord({ id: idWithPrefix('abc2') });
        await store.create(a);
        await store.create(b);
        await rejectsWith(store.get('abc'), 'invalid-argument', 'multiple IDs found with provided prefix: abc');
        assert.equal((await store.get('abc1')).id, a.id);
        assert.equal((await store.get(b.id)).id, b.id);
        // A name that looks like a prefix resolves to the named container first.
        const named = sampleRecord({ name: 'abc' });
        await store.create(named);
        assert.equal((await store.get('abc')).id, named.id);
      }));

    it('refuses a taken name with Docker\'s conflict text', () =>
      withStore(async (store) => {
        const first = await store.create(sampleRecord({ name: 'web' }));
        await rejectsWith(
          store.create(sampleRecord({ name: '/web' })),
          'conflict',
          `Conflict. The container name "/web" is already in use by container "${first.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
        assert.equal((await store.list()).length, 1);
      }));

    it('refuses an invalid name with Docker\'s text', () =>
      withStore(async (store) => {
        await rejectsWith(
          store.create(sampleRecord({ name: 'a' })),
          'invalid-argument',
          /^Invalid container name \(\/?a\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed$/,
        );
        await rejectsWith(store.create(sampleRecord({ name: '/-x' })), 'invalid-argument', /Invalid container name \(\/-x\)/);
      }));

    it('refuses a duplicate id', () =>
      withStore(async (store) => {
        const rec = sampleRecord();
        await store.create(rec);
        await rejectsWith(store.create({ ...rec, name: '/other' }), 'already-exists');
      }));

    it('lists newest first', () =>
      withStore(async (store) => {
        const old = sampleRecord({ created: new Date('2026-01-01T00:00:00Z') });
        const mid = sampleRecord({ created: new Date('2026-01-02T00:00:00Z') });
        const neu = sampleRecord({ created: new Date('2026-01-03T00:00:00Z') });
        for (const r of [mid, old, neu]) await store.create(r);
        assert.deepEqual((await store.list()).map((r) => r.id), [neu.id, mid.id, old.id]);
      }));

    it('list follows every change, and its records are frozen', () =>
      withStore(async (store) => {
        const a = await store.create(sampleRecord({ name: '/list-a', created: new Date('2026-01-01T00:00:00Z') }));
        const b = await store.create(sampleRecord({ name: '/list-b', created: new Date('2026-01-02T00:00:00Z') }));
        assert.deepEqual((await store.list()).map((r) => r.name), ['/list-b', '/list-a']);
        await store.update(a.id, (r) => ({ ...r, args: ['changed'] }));
        await assert.rejects(store.update(b.id, () => {
          throw new Error('boom');
        }));
        await store.rename(b.id, 'list-c');
        let listed = await store.list();
        assert.deepEqual(listed.map((r) => [r.name, r.args]), [['/list-c', b.args], ['/list-a', ['changed']]]);
        assert.throws(() => (listed[0]!.args as string[]).push('x'), TypeError);
        await store.delete(a.id);
        const c = await store.create(sampleRecord({ name: '/list-d', created: new Date('2026-01-03T00:00:00Z') }));
        listed = await store.list();
        assert.deepEqual(listed.map((r) => r.id), [c.id, b.id]);
      }));

    it('updates atomically and leaves the record alone when fn throws', () =>
      withStore(async (store) => {
        const rec = await store.create(sampleRecord());
        const now = new Date('2026-11-23T16:39:06.786Z');
        const running = await store.update(rec.id, (r) => setRunning(r, 4242, now));
        assert.equal(running.state.status, 'running');
        assert.deepEqual(await store.get(rec.id), running);
        await assert.rejects(store.update(rec.id, () => {
          throw new Error('boom');
        }), /boom/);
        assert.deepEqual(await store.get(rec.id), running);
        await rejectsWith(store.update(rec.id, (r) => ({ ...r, name: '/renamed' })), 'invalid-argument');
        await rejectsWith(store.update(rec.id, (r) => ({ ...r, id: idWithPrefix('ff') })), 'invalid-argument');
        await rejectsWith(store.update('0'.repeat(64), (r) => r), 'not-found');
      }));

    it('does not let callers mutate stored records through returned objects', () =>
      withStore(async (store) => {
        const rec = await store.create(sampleRecord());
        rec.args.push('mutated');
        (await store.get(rec.id)).args.push('mutated');
        assert.deepEqual((await store.get(rec.id)).args, ['3600']);
      }));

    it('renames, freeing the old name', () =>
      withStore(async (store) => {
        const a = await store.create(sampleRecord({ name: 'old' }));
        const b = await store.create(sampleRecord({ name: 'taken' }));
        const renamed = await store.rename('old', 'new');
        assert.equal(renamed.name, '/new');
        assert.equal((await store.get('new')).id, a.id);
        await rejectsWith(store.get('old'), 'not-found');
        await store.create(sampleRecord({ name: 'old' }));
        await rejectsWith(store.rename('new', 'taken'), 'conflict', new RegExp(`^Error when allocating new name: Conflict\\. The container name "/taken" is already in use by container "${b.id}"`));
        await rejectsWith(store.rename('new', 'new'), 'invalid-argument', 'Renaming a container with the same name as its current name');
        await rejectsWith(store.rename('new', 'x'), 'invalid-argument', /^Error when allocating new name: Invalid container name \(x\)/);
        await rejectsWith(store.rename('new', ''), 'invalid-argument', 'Neither old nor new names may be empty');
        await rejectsWith(store.rename('nosuch', 'fresh'), 'not-found', 'No such container: nosuch');
      }));

    it('deletes and releases the name', () =>
      withStore(async (store) => {
        const rec = await store.create(sampleRecord({ name: 'gone' }));
        await store.delete(rec.id);
        await rejectsWith(store.get(rec.id), 'not-found');
        await rejectsWith(store.delete(rec.id), 'not-found');
        await store.create(sampleRecord({ name: 'gone' }));
      }));

    it('reserves and releases names independently of records', () =>
      withStore(async (store) => {
        const id = idWithPrefix('1234');
        assert.equal(await store.reserveName('held', id), '/held');
        assert.equal(await store.reserveName('/held', id), '/held'); // idempotent for the holder
        await rejectsWith(store.reserveName('held', idWithPrefix('5678')), 'conflict', new RegExp(`by container "${id}"`));
        await rejectsWith(store.create(sampleRecord({ name: 'held' })), 'conflict');
        // The holder may create its record under the reserved name.
        await store.create(sampleRecord({ id, name: 'held' }));
        await store.releaseName('nobody-holds-this');
        const other = idWithPrefix('9abc');
        await store.reserveName('temp', other);
        await store.releaseName('/temp');
        await store.create(sampleRecord({ name: 'temp' }));
      }));

    it('generates distinct valid names', () =>
      withStore(async (store) => {
        const names = new Set<string>();
        for (let i = 0; i < 20; i++) {
          const rec = sampleRecord();
          const name = await store.reserveGeneratedName(rec.id);
          assert.match(name, /^\/[a-z]+_[a-z]+\d?$|^\/[0-9a-f]{12}$/);
          assert.ok(!names.has(name));
          names.add(name);
          await store.create({ ...rec, name });
        }
      }));

    it('keeps every record field through a round trip', () =>
      withStore(async (store) => {
        const rec: ContainerRecord = {
          ...sampleRecord({ name: 'full' }),
          execIds: ['e1'],
          sizeRw: 12,
          mounts: [{ Type: 'bind', Source: '/h', Destination: '/c', Mode: 'ro', RW: false, Propagation: 'rprivate' }],
        };
        await store.create(rec);
        assert.deepEqual(await store.get('full'), rec);
      }));
  });
}

export type { ContainerRecord };
