/**
 * Hosts one component: a gRPC server on its unix socket (mode 0600) serving the standard
 * health service, our Version service and the component's own services.
 */
import { collectStartupGarbage } from './heap.js';
import { chmod } from 'node:fs/promises';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { wrap } from '../errdefs/index.js';
import { HealthService, HealthState, ServingStatus } from './health.js';
import type { Logger } from './log.js';
import type { EngineRoots } from './paths.js';
import { RegistryClient } from './registry-client.js';
import type { GrpcBinding, ServiceFactory, ServiceInstance } from './service.js';
import { prepareSocket, removeSocket } from './unix-socket.js';
import { buildInfo, VersionService, versionImplementation } from './version.js';

export interface HostedService {
  name: string;
  implementation: string;
  factory: ServiceFactory;
}

export interface ComponentHostOptions {
  name: string;
  socket: string;
  registrySocket: string;
  roots: EngineRoots;
  services: HostedService[];
  log: Logger;
  /** How long shutdown waits for calls in flight before cancelling them. */
  drainMs?: number;
}

export interface RunningComponent {
  readonly name: string;
  readonly socket: string;
  readonly health: HealthState;
  /** NOT_SERVING, drain, close services in reverse order, remove the socket. Idempotent. */
  close(): Promise<void>;
}

export async function startComponent(opts: ComponentHostOptions): Promise<RunningComponent> {
  const health = new HealthState(opts.services.map((s) => s.name));
  const server = new Server();
  const registry = new RegistryClient(opts.registrySocket);
  const created: ServiceInstance[] = [];
  let closing: Promise<void> | undefined;
  let bound = false;

  const close = () =>
    (closing ??= (async () => {
      health.setAll(ServingStatus.NOT_SERVING);
      await drain(server, opts.drainMs ?? 2000);
      for (const instance of [...created].reverse()) {
        await instance.close?.().catch((err) => opts.log.error('service close failed', { err }));
      }
      registry.close();
      // Only our own socket: a refused bind must not remove another server's.
      if (bound) await removeSocket(opts.socket);
    })());

  try {
    server.addService(HealthService, health.implementation());
    const info = buildInfo();
    server.addService(
      VersionService,
      versionImplementation({
        component: opts.name,
        ...info,
        services: opts.services.map(({ name, implementation }) => ({ name, implementation })),
      }),
    );
    // Bound before the factories run, so a service may call one listed before it in the same
    // component (image-store opening over layer-store); callers see NOT_SERVING until all started.
    await bind(server, opts.socket);
    bound = true;
    const locals = new Map<string, unknown>();
    const colocated = <T>(service: string) => locals.get(service) as T | undefined;
    for (const svc of opts.services) {
      const ctx = { component: opts.name, service: svc.name, implementation: svc.implementation, roots: opts.roots, socket: opts.socket, registry, colocated, log: opts.log.child({ service: svc.name }) };
      const instance = await Promise.resolve(svc.factory(ctx)).catch((err) => {
        throw wrap(err, `service ${svc.name}`);
      });
      created.push(instance);
      if (instance.local !== undefined) locals.set(svc.name, instance.local);
      for (const b of instance.grpc ?? []) addBinding(server, b);
    }
    for (const instance of created) await instance.start?.();
    health.setAll(ServingStatus.SERVING);
    collectStartupGarbage();
    return { name: opts.name, socket: opts.socket, health, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function addBinding(server: Server, b: GrpcBinding): void {
  server.addService(b.definition, b.implementation);
}

async function bind(server: Server, socket: string): Promise<void> {
  await prepareSocket(socket);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (err) => (err ? reject(wrap(err, `bind ${socket}`)) : resolve())),
  );
  await chmod(socket, 0o600);
}

function drain(server: Server, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, ms);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
