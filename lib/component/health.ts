/**
 * The standard `grpc.health.v1.Health` service, served by every component.
 * The overall status (service "") and one status per hosted service start NOT_SERVING and
 * become SERVING only when the whole component is ready.
 */
import { status as GrpcStatus, type ServerWritableStream, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthListResponse,
  type HealthServer,
} from '../../api/grpc/health/v1/health.js';

export { ServingStatus, HealthService };

type Watcher = (status: ServingStatus) => void;

export class HealthState {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Map<string, Set<Watcher>>();

  constructor(services: string[]) {
    for (const s of ['', ...services]) this.#statuses.set(s, ServingStatus.NOT_SERVING);
  }

  /** Sets every known service (and the overall status) at once. */
  setAll(status: ServingStatus): void {
    for (const service of this.#statuses.keys()) this.set(service, status);
  }

  set(service: string, status: ServingStatus): void {
    if (this.#statuses.get(service) === status) return;
    this.#statuses.set(service, status);
    for (const w of this.#watchers.get(service) ?? []) w(status);
  }

  get(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  implementation(): HealthServer {
    return {
      check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
        const status = this.#statuses.get(call.request.service);
        if (status === undefined) {
          callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service ${call.request.service}` });
          return;
        }
        callback(null, { status });
      },
      list: (_call, callback: sendUnaryData<HealthListResponse>) => {
        const statuses: Record<string, HealthCheckResponse> = {};
        for (const [service, status] of this.#statuses) statuses[service] = { status };
        callback(null, { statuses });
      },
      watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
        const service = call.request.service;
        const send: Watcher = (status) => call.write({ status });
        send(this.#statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN);
        let set = this.#watchers.get(service);
        if (!set) this.#watchers.set(service, (set = new Set()));
        set.add(send);
        call.on('cancelled', () => set.delete(send));
        call.on('close', () => set.delete(send));
      },
    };
  }
}
