import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server, ServerCredentials, type UntypedServiceImplementation, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus, HealthService, type HealthCheckRequest, type HealthCheckResponse } from '../../api/grpc/health/v1/health.js';
import { VersionService, type GetVersionRequest, type GetVersionResponse } from '../../api/moby/version/v1/version.js';
import { probeWithPython } from './grpc-probe.js';

const VERSION: GetVersionResponse = {
  component: 'probe-test',
  version: '0.1.0',
  revision: 'abc123',
  services: [
    { name: 'component-registry', implementation: 'builtin' },
    { name: 'events', implementation: 'builtin' },
  ],
  pid: process.pid,
};

interface FakeComponent {
  status?: HealthCheckResponse_ServingStatus;
  /** Leave Version unimplemented. */
  noVersion?: boolean;
  /** Never answer Health/Check. */
  hang?: boolean;
}

/** A grpc-js server on a fresh temporary socket serving Health/Check and Version/Get. */
async function startFake(fake: FakeComponent): Promise<{ socket: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'grpc-probe-test-'));
  const socket = join(dir, 'component.sock');
  const server = new Server();
  const check = (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, done: sendUnaryData<HealthCheckResponse>) => {
    if (call.request.service !== '') return done({ code: 5, details: `unknown service ${call.request.service}` });
    if (!fake.hang) done(null, { status: fake.status ?? HealthCheckResponse_ServingStatus.SERVING });
  };
  const get = (_call: ServerUnaryCall<GetVersionRequest, GetVersionResponse>, done: sendUnaryData<GetVersionResponse>) => done(null, VERSION);
  server.addService(HealthService, { check } as UntypedServiceImplementation);
  if (!fake.noVersion) server.addService(VersionService, { get });
  const close = async () => {
    server.forceShutdown();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<number>((resolve, reject) =>
      server.bindAsync(`unix:${socket}`, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { socket, close };
}

test('probeWithPython reports SERVING and the Version answer', async () => {
  const fake = await startFake({});
  try {
    assert.deepEqual(await probeWithPython(fake.socket), { health: 'SERVING', version: VERSION });
  } finally {
    await fake.close();
  }
});

test('probeWithPython reports a status other than SERVING without failing', async () => {
  const fake = await startFake({ status: HealthCheckResponse_ServingStatus.NOT_SERVING });
  try {
    assert.equal((await probeWithPython(fake.socket)).health, 'NOT_SERVING');
  } finally {
    await fake.close();
  }
});

test('probeWithPython rejects with the status when Version is not served', async () => {
  const fake = await startFake({ noVersion: true });
  try {
    await assert.rejects(probeWithPython(fake.socket), /exit code 1\): grpc_probe: \/moby\.version\.v1\.Version\/Get: UNIMPLEMENTED/);
  } finally {
    await fake.close();
  }
});

test('probeWithPython rejects when nothing listens on the socket', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grpc-probe-test-'));
  try {
    await assert.rejects(probeWithPython(join(dir, 'absent.sock')), /Health\/Check: UNAVAILABLE/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('probeWithPython rejects when the server does not answer before the deadline', async () => {
  const fake = await startFake({ hang: true });
  try {
    await assert.rejects(probeWithPython(fake.socket, { timeoutSeconds: 0.5 }), /Health\/Check: DEADLINE_EXCEEDED/);
  } finally {
    await fake.close();
  }
});

test('probeWithPython rejects when the protos are missing', async () => {
  await assert.rejects(probeWithPython('/nonexistent.sock', { protos: '/nonexistent' }), /no grpc\/health\/v1\/health\.proto under \/nonexistent/);
});
