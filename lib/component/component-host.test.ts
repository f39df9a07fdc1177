import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthClient, HealthCheckResponse_ServingStatus as ServingStatus } from '../../api/grpc/health/v1/health.js';
import { VersionClient } from '../../api/moby/version/v1/version.js';
import { ComponentInitClient, ComponentInitService, type ComponentInitServer } from '../../api/moby/component_init/v1/component_init.js';
import { isKind, errorOf } from '../errdefs/index.js';
import { toGrpcError } from '../errdefs/grpc.js';
import { startComponent, type ComponentHostOptions } from './component-host.js';
import { connect, unary } from './grpc-call.js';
import { createLogger } from './log.js';
import type { ServiceInstance } from './service.js';

describe('startComponent', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-host-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const options = (name: string, services: ComponentHostOptions['services'] = []): ComponentHostOptions => ({
    name,
    socket: join(dir, `${name}.sock`),
    registrySocket: join(dir, 'registry.sock'),
    roots: { dataRoot: dir, execRoot: dir },
    services,
    log: createLogger({ component: name }, 'error'),
  });

  it('serves health and version on a 0600 socket, and removes it on close', async () => {
    const c = await startComponent(options('alpha', [{ name: 'component-init', implementation: 'test', factory: () => ({}) }]));
    const health = connect(HealthClient, c.socket);
    const version = connect(VersionClient, c.socket);
    try {
      assert.equal((await stat(c.socket)).mode & 0o777, 0o600);
      assert.equal((await unary(health.check.bind(health), { service: '' })).status, ServingStatus.SERVING);
      assert.equal((await unary(health.check.bind(health), { service: 'component-init' })).status, ServingStatus.SERVING);
      await assert.rejects(unary(health.check.bind(health), { service: 'nope' }), (e: Error) => isKind(e, 'not-found'));
      const v = await unary(version.get.bind(version), {});
      assert.equal(v.component, 'alpha');
      assert.equal(v.pid, process.pid);
      assert.deepEqual(v.services, [{ name: 'component-init', implementation: 'test' }]);
      assert.match(v.version, /^\d+\.\d+\.\d+/);
    } finally {
      health.close();
      version.close();
      await c.close();
    }
    await assert.rejects(stat(c.socket), /ENOENT/);
  });

  it('reports SERVING only after every service has started, and closes them in reverse order', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const svc = (name: string, wait?: Promise<void>): ServiceInstance => ({
      start: async () => {
        events.push(`start ${name}`);
        await wait;
      },
      close: async () => void events.push(`close ${name}`),
    });
    const starting = startComponent(
      options('beta', [
        { name: 'a', implementation: 'x', factory: () => svc('a') },
        { name: 'b', implementation: 'x', factory: () => svc('b', gate) },
      ]),
    );
    const socket = join(dir, 'beta.sock');
    const health = connect(HealthClient, socket);
    try {
      // The socket is bound before `start` runs; until every start resolved, health says NOT_SERVING.
      await waitFor(() => events.includes('start b'));
      assert.equal((await unary(health.check.bind(health), { service: '' })).status, ServingStatus.NOT_SERVING);
      release();
      const c = await starting;
      assert.equal((await unary(health.check.bind(health), { service: '' })).status, ServingStatus.SERVING);
      await c.close();
      assert.deepEqual(events, ['start a', 'start b', 'close b', 'close a']);
    } finally {
      health.close();
    }
  });

  it('offers a service the domain object of one listed before it in the same component, and nothing else', async () => {
    const seen: unknown[] = [];
    const c = await startComponent(
      options('theta', [
        { name: 'first', implementation: 'x', factory: (ctx) => (seen.push(ctx.colocated('second')), { local: { answer: 42 } }) },
        { name: 'second', implementation: 'x', factory: (ctx) => (seen.push(ctx.colocated('first'), ctx.colocated('elsewhere')), {}) },
      ]),
    );
    await c.close();
    assert.deepEqual(seen, [undefined, { answer: 42 }, undefined]);
  });

  it('removes a stale socket left by a dead server before binding', async () => {
    const socket = join(dir, 'gamma.sock');
    const stale = createServer();
    await new Promise<void>((r) => stale.listen(socket, r));
    // Closing a node server unlinks its socket; recreate a dead one by hand instead.
    await new Promise<void>((r) => stale.close(() => r()));
    await bindAndAbandon(socket);
    const c = await startComponent(options('gamma'));
    await c.close();
  });

  it('refuses a socket that a live server answers on, and leaves it in place', async () => {
    const socket = join(dir, 'delta.sock');
    const live: Server = createServer();
    await new Promise<void>((r) => live.listen(socket, r));
    try {
      await assert.rejects(startComponent(options('delta')), (e: Error) => isKind(e, 'conflict') && /in use/.test(e.message));
      assert.ok((await stat(socket)).isSocket());
    } finally {
      await new Promise<void>((r) => live.close(() => r()));
    }
  });

  it('refuses a path that exists and is not a socket', async () => {
    await writeFile(join(dir, 'eps.sock'), 'not a socket');
    await assert.rejects(startComponent(options('eps')), (e: Error) => isKind(e, 'failed-precondition'));
  });

  it('carries an error kind across gRPC from a service to its client', async () => {
    const c = await startComponent(
      options('zeta', [
        {
          name: 'component-init',
          implementation: 'test',
          factory: () => ({
            grpc: [{ definition: ComponentInitService, implementation: { restart: (_call, cb) => cb(toGrpcError(errorOf('conflict', 'component x: busy'))) } satisfies ComponentInitServer }],
          }),
        },
      ]),
    );
    const client = connect(ComponentInitClient, c.socket);
    try {
      await assert.rejects(unary(client.restart.bind(client), { component: 'x', reason: '' }), (e: Error) => isKind(e, 'conflict') && e.message === 'component x: busy');
    } finally {
      client.close();
      await c.close();
    }
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

/** Leaves a socket file with no server behind it, as a killed process does. */
async function bindAndAbandon(path: string): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.equal(r.signal, 'SIGKILL');
  assert.ok((await stat(path)).isSocket());
}
