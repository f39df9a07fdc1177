/**
 * Test support (not a test): an engine API server on a socket in a fresh temporary directory,
 * fake facts, and an HTTP client that keeps the raw header order.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostFacts, HostFactsSource } from '../../core/system/host-facts.js';
import type { EngineFacts } from './engine-api-deps.js';
import { closeServer, createEngineApiServer, listenUnix, routeGroups, type EngineApiServer, type RouteGroup } from './engine-api-server.js';

export const fakeHost: HostFacts = {
  kernelVersion: '6.1.0-test',
  operatingSystem: 'Test OS 1 (fake)',
  osVersion: '1',
  osType: 'linux',
  architecture: 'x86_64',
  goArch: 'amd64',
  ncpu: 3,
  memTotal: 1234567,
  hostname: 'testhost',
  cgroupVersion: '1',
  cgroup: {
    memoryLimit: true,
    swapLimit: true,
    oomKillDisable: true,
    cpuCfsPeriod: true,
    cpuCfsQuota: true,
    cpuShares: true,
    cpuSet: true,
    pidsLimit: true,
  },
  ipv4Forwarding: true,
  seccomp: true,
  openFds: 7,
  runtime: { name: 'runc', version: '1.1.5+ds1', commit: '1.1.5+ds1-1+deb12u1' },
};

export const fakeHostSource: HostFactsSource = { read: async () => fakeHost };

export const fakeFacts: EngineFacts = {
  components: async () => [
    { name: 'image-store', version: '0.1.0', services: ['image-store', 'layer-store'], health: 'SERVING', pid: 42 },
  ],
  counts: async () => ({ containers: 3, running: 1, paused: 0, stopped: 2, images: 5 }),
};

export interface TestEngine {
  dir: string;
  dataRoot: string;
  socketPath: string;
  server: EngineApiServer;
  /** Lines the server logged (5xx failures). */
  logs: string[];
  /** Closes the server and removes the directory; safe to call twice. */
  close(): Promise<void>;
}

export interface TestEngineOptions {
  groups?: readonly RouteGroup[];
  facts?: EngineFacts;
  host?: HostFactsSource;
}

export async function startTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'mea-'));
  const dataRoot = join(dir, 'root');
  const socketPath = join(dir, 'd.sock');
  const logs: string[] = [];
  const server = createEngineApiServer(
    {
      version: '0.1.0-test',
      revision: 'deadbee',
      dataRoot,
      facts: options.facts ?? fakeFacts,
      buildTime: '2026-01-02T03:04:05.000000000+00:00',
      host: 'host' in options ? options.host : fakeHostSource,
      log: (line) => logs.push(line),
    },
    options.groups ?? routeGroups,
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await closeServer(server, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    await listenUnix(server, socketPath);
  } catch (err) {
    await close();
    throw err;
  }
  return { dir, dataRoot, socketPath, server, logs, close };
}

export interface TestResponse {
  status: number;
  /** Header names in the order received, as sent (case kept). */
  headerNames: string[];
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection (no keep-alive, so nothing lingers after the test). */
export function request(socketPath: string, method: string, path: string, body?: string): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headerNames: res.rawHeaders.filter((_, i) => i % 2 === 0),
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
