/**
 * Services that are facets of one domain object (e.g. `volume-store` and `volume-runtime`
 * over one `VolumeService`): the first facet a component starts opens the object, the others
 * bind their gRPC service to it through `ServiceContext.colocated`. Facets placed in
 * different components each open their own object over the same data root: a manifest must
 * keep them together.
 */
import type { GrpcBinding, ServiceContext, ServiceFactory, ServiceInstance } from './service.js';

export interface Opened<T> {
  local: T;
  start?(): Promise<void>;
  close(): Promise<void>;
}

/** One factory per facet: `facetFactories(['a', 'b'], open, { a: bindA, b: bindB })`. */
export function facetFactories<T, F extends string>(
  facets: readonly F[],
  open: (ctx: ServiceContext) => Promise<Opened<T>>,
  bindings: Record<F, (local: T) => GrpcBinding>,
): Record<F, ServiceFactory> {
  const factory = (facet: F): ServiceFactory => async (ctx): Promise<ServiceInstance> => {
    for (const other of facets) {
      const local = ctx.colocated<T>(other);
      if (local) return { grpc: [bindings[facet](local)], local };
    }
    const opened = await open(ctx);
    return { ...opened, grpc: [bindings[facet](opened.local)] };
  };
  return Object.fromEntries(facets.map((f) => [f, factory(f)])) as Record<F, ServiceFactory>;
}
