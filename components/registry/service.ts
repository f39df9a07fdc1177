/**
 * gRPC adapter of component-registry over `RegistryState`.
 */
import {
  ComponentRegistryService,
  type ComponentRegistryServer,
} from '../../api/moby/component_registry/v1/component_registry.js';
import { toGrpcError } from '../../lib/errdefs/grpc.js';
import type { GrpcBinding } from '../../lib/component/service.js';
import type { RegistryState } from './registry-state.js';

export function registryBinding(state: RegistryState): GrpcBinding {
  const implementation: ComponentRegistryServer = {
    resolve: (call, cb) => {
      try {
        cb(null, { component: state.resolve(call.request.service) });
      } catch (err) {
        cb(toGrpcError(err));
      }
    },
    list: (_call, cb) => cb(null, { components: state.list() }),
    reportHealth: (call, cb) => {
      try {
        const { component, health, detail } = call.request;
        state.reportHealth(component, health, detail, call.request.pid);
        cb(null, {});
      } catch (err) {
        cb(toGrpcError(err));
      }
    },
    watch: (call) => {
      for (const component of state.list()) call.write({ component });
      const unsubscribe = state.subscribe((component) => call.write({ component }));
      call.on('cancelled', unsubscribe);
      call.on('close', unsubscribe);
    },
  };
  return { definition: ComponentRegistryService, implementation };
}
