/**
 * The contract between a component host and the services it hosts.
 *
 * A service implementation is a factory: given its context it returns the gRPC services it
 * serves and, optionally, what to do once every service of the component exists (`start`,
 * e.g. the engine API listening on docker.sock) and on shutdown (`close`). The host binds the
 * socket first (health NOT_SERVING), then runs the factories in manifest order, so a factory
 * may already call a service listed before it in the same component; it reports SERVING only
 * when every `start` resolved, and closes services in reverse order.
 */
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from './log.js';
import type { EngineRoots } from './paths.js';
import type { RegistryClient } from './registry-client.js';

export interface GrpcBinding {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface ServiceInstance {
  grpc?: GrpcBinding[];
  /**
   * The domain object behind the gRPC binding (e.g. a `LocalLayerStore`), offered to later
   * services of the same component through `ServiceContext.colocated`, so that calls inside
   * one process skip the socket. Its owner still closes it.
   */
  local?: unknown;
  /** Runs after the component's socket is bound; the component is SERVING once every start resolved. */
  start?(): Promise<void>;
  /**
   * Runs on shutdown, after the gRPC server has drained, in reverse order of creation; also
   * when a later service failed to start, so it must cope with `start` never having run.
   */
  close?(): Promise<void>;
}

export interface ServiceContext {
  /** The hosting component's name, from the manifest. */
  component: string;
  /** The service's name, e.g. `http-api-v1`. */
  service: string;
  implementation: string;
  roots: EngineRoots;
  /** The hosting component's own gRPC socket. */
  socket: string;
  /** The component registry; every other service is found through it. */
  registry: RegistryClient;
  /**
   * The domain object of `service` when a service listed earlier in the same component hosts
   * it (see `ServiceInstance.local`), else undefined: then dial it through the registry.
   */
  colocated<T>(service: string): T | undefined;
  log: Logger;
}

export type ServiceFactory = (ctx: ServiceContext) => ServiceInstance | Promise<ServiceInstance>;
