import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { emptyEndpoint, setPaused, setRunning, setStopped, type ContainerRecord } from './container-record.js';
import { filterContainers, findContainer, sortNewestFirst, validateListFilters } from './list-filters.js';
import { idWithPrefix, sampleRecord } from './test-fixtures.js';

const t = (min: number) => new Date(Date.UTC(2026, 0, 1, 0, min));

/** Five containers, oldest first: created, running (web), exited 0, exited 3, paused. */
function world(): ContainerRecord[] {
  const created = sampleRecord({ id: idWithPrefix('a1'), name: 'fresh', created: t(1) });
  const web = setRunning(
    sampleRecord({
      id: idWithPrefix('b2'), name: 'web', created: t(2),
      hostConfig: { NetworkMode: 'mynet', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
      mounts: [{ Type: 'volume', Name: 'data', Source: '/var/lib/moby/volumes/data/_data', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }],
    }),
    11, t(2),
  );
  web.config.Labels = { tier: 'front', env: 'prod' };
  web.config.ExposedPorts = { '80/tcp': {}, '443/tcp': {} };
  web.networkSettings.networks.mynet = { ...emptyEndpoint(), NetworkID: 'cafe1234' };
  const ok = setStopped(setRunning(sampleRecord({ id: idWithPrefix('c3'), name: 'job-ok', created: t(3) }), 12, t(3)), { exitCode: 0 }, t(4));
  const bad = setStopped(setRunning(sampleRecord({ id: idWithPrefix('d4'), name: 'job-bad', created: t(4) }), 13, t(4)), { exitCode: 3 }, t(5));
  bad.config.Labels = { tier: 'batch' };
  const paused = setPaused(setRunning(sampleRecord({ id: idWithPrefix('e5'), name: 'sleepy', created: t(5) }), 14, t(5)));
  return [created, web, ok, bad, paused];
}

const names = (records: ContainerRecord[]) => records.map((r) => r.name.slice(1));

function refuses(fn: () => unknown, kind: 'invalid-argument' | 'not-found', message: string): void {
  assert.throws(fn, (err: unknown) => isKind(err, kind) && (err as Error).message === message);
}

describe('filterContainers', () => {
  const all = world();

  it('shows running (and paused) containers, newest first, unless all or limit', () => {
    assert.deepEqual(names(filterContainers(all)), ['sleepy', 'web']);
    assert.deepEqual(names(filterContainers(all, { all: true })), ['sleepy', 'job-bad', 'job-ok', 'web', 'fresh']);
    assert.deepEqual(names(filterContainers(all, { limit: 2 })), ['sleepy', 'job-bad']);
  });

  it('filters by status (implying all), validating values', () => {
    assert.deepEqual(names(filterContainers(all, { filters: { status: ['exited'] } })), ['job-bad', 'job-ok']);
    assert.deepEqual(names(filterContainers(all, { filters: { status: ['created', 'paused'] } })), ['sleepy', 'fresh']);
    refuses(() => filterContainers(all, { filters: { status: ['sleeping'] } }), 'invalid-argument', "invalid filter 'status=sleeping'");
  });

  it('filters by exit code among containers that ran', () => {
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { exited: ['0'] } })), ['job-ok']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { exited: ['3', '0'] } })), ['job-bad', 'job-ok']);
    refuses(() => filterContainers(all, { filters: { exited: ['x'] } }), 'invalid-argument', 'strconv.Atoi: parsing "x": invalid syntax');
  });

  it('matches names and ids as unanchored regexps', () => {
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { name: ['job'] } })), ['job-bad', 'job-ok']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { name: ['^/?web$'] } })), ['web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { id: ['^c3'] } })), ['job-ok']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { name: ['(['] } })), []);
  });

  it('filters by labels', () => {
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { label: ['tier'] } })), ['job-bad', 'web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { label: ['tier=front', 'env=prod'] } })), ['web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { label: ['tier=back'] } })), []);
  });

  it('before and since by name, id or prefix', () => {
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { before: ['job-ok'] } })), ['web', 'fresh']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { since: ['job-ok'] } })), ['sleepy', 'job-bad']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { since: [all[0]!.id.slice(0, 6)] } })), ['sleepy', 'job-bad', 'job-ok', 'web']);
    refuses(() => filterContainers(all, { filters: { since: ['nosuch'] } }), 'not-found', 'No such container: nosuch');
  });

  it('ancestor through the callback, or the typed reference by default', () => {
    assert.equal(filterContainers(all, { all: true, filters: { ancestor: ['busybox:local'] } }).length, 5);
    assert.equal(filterContainers(all, { all: true, filters: { ancestor: ['668ffeff'] } }).length, 5);
    assert.equal(filterContainers(all, { all: true, filters: { ancestor: ['alpine'] } }).length, 0);
    const onlyWeb = filterContainers(all, { all: true, filters: { ancestor: ['x'] }, ancestorMatches: (r) => r.name === '/web' });
    assert.deepEqual(names(onlyWeb), ['web']);
  });

  it('volume, network, publish and expose', () => {
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { volume: ['data'] } })), ['web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { volume: ['/data'] } })), ['web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { network: ['mynet'] } })), ['web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { network: ['cafe'] } })), ['web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { publish: ['80'] } })), ['web']);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { publish: ['80/udp'] } })), []);
    assert.deepEqual(names(filterContainers(all, { all: true, filters: { expose: ['440-450/tcp'] } })), ['web']);
    refuses(() => filterContainers(all, { filters: { publish: ['8080:80'] } }), 'invalid-argument', "filter for 'publish' should not contain ':': 8080:80");
  });

  it('health, is-task and isolation', () => {
    assert.equal(filterContainers(all, { all: true, filters: { health: ['none'] } }).length, 5);
    assert.equal(filterContainers(all, { all: true, filters: { health: ['healthy'] } }).length, 0);
    refuses(() => filterContainers(all, { filters: { health: ['fine'] } }), 'invalid-argument', 'Unrecognised filter value for health: fine');
    assert.equal(filterContainers(all, { all: true, filters: { 'is-task': ['false'] } }).length, 5);
    assert.equal(filterContainers(all, { all: true, filters: { 'is-task': ['true'] } }).length, 0);
    refuses(() => filterContainers(all, { filters: { 'is-task': ['maybe'] } }), 'invalid-argument', "invalid filter 'is-task=[maybe]'");
    assert.equal(filterContainers(all, { all: true, filters: { isolation: ['default'] } }).length, 5);
  });

  it('refuses unknown filters', () => {
    refuses(() => validateListFilters({ colour: ['red'] }), 'invalid-argument', "invalid filter 'colour'");
  });
});

describe('findContainer and ordering', () => {
  it('resolves as GetContainer does and orders by nanosecond creation time', () => {
    const a = sampleRecord({ id: idWithPrefix('ab1'), name: 'one' });
    const b = sampleRecord({ id: idWithPrefix('ab2'), name: 'two' });
    a.created = '2026-01-01T00:00:00.9Z';
    b.created = '2026-01-01T00:00:00.100000001Z';
    assert.deepEqual(sortNewestFirst([b, a]).map((r) => r.name), ['/one', '/two']);
    assert.equal(findContainer([a, b], 'two'), b);
    assert.equal(findContainer([a, b], 'ab1'), a);
    refuses(() => findContainer([a, b], 'ab'), 'invalid-argument', 'multiple IDs found with provided prefix: ab');
  });
});
