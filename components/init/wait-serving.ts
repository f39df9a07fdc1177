/**
 * Waits until a component's socket answers the standard health check with SERVING.
 */
import { HealthClient, HealthCheckResponse_ServingStatus as ServingStatus } from '../../api/grpc/health/v1/health.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { connect, unary } from '../../lib/component/grpc-call.js';

export interface WaitOptions {
  timeoutMs: number;
  /** Stops waiting early, e.g. when the process exited. */
  signal?: AbortSignal;
  pollMs?: number;
}

export async function waitServing(socket: string, opts: WaitOptions): Promise<void> {
  const client = connect(HealthClient, socket);
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no answer';
  try {
    while (Date.now() < deadline) {
      if (opts.signal?.aborted) throw errorOf('unavailable', `${socket}: ${String(opts.signal.reason ?? 'aborted')}`);
      try {
        const res = await unary(client.check.bind(client), { service: '' }, { timeoutMs: 1000 });
        if (res.status === ServingStatus.SERVING) return;
        last = `status ${ServingStatus[res.status]}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 20));
    }
    throw errorOf('deadline-exceeded', `${socket}: not SERVING after ${opts.timeoutMs} ms (${last})`);
  } finally {
    client.close();
  }
}
