/**
 * gRPC adapter of component-init.
 */
import { ComponentInitService, type ComponentInitServer } from '../../api/moby/component_init/v1/component_init.js';
import { toGrpcError } from '../../lib/errdefs/grpc.js';
import type { GrpcBinding } from '../../lib/component/service.js';

export interface Restarter {
  restart(component: string, reason: string): void;
}

export function initBinding(init: Restarter): GrpcBinding {
  const implementation: ComponentInitServer = {
    restart: (call, cb) => {
      try {
        init.restart(call.request.component, call.request.reason || 'restart requested');
        cb(null, {});
      } catch (err) {
        cb(toGrpcError(err));
      }
    },
  };
  return { definition: ComponentInitService, implementation };
}
