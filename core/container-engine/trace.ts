/**
 * Phase timings of container operations, for finding where latency goes: with `MOBY_TRACE=1`
 * in the engine's environment every traced operation logs one line to the component log,
 *
 *   trace start 3f2a9c1b0d4e total=182.4ms mount=1.2 spec+bundle=6.0 create=98.1 …
 *
 * each phase the milliseconds since the previous mark. Without it, tracing costs one branch.
 */
import { performance } from 'node:perf_hooks';

export const traceEnabled = !!process.env.MOBY_TRACE && process.env.MOBY_TRACE !== '0';

export interface Trace {
  /** Ends the phase running since the last mark (or the start) under `phase`. */
  mark(phase: string): void;
  /** Logs the line (once); `outcome` is appended when given (say, `failed`). */
  end(outcome?: string): void;
}

const off: Trace = { mark: () => undefined, end: () => undefined };

export function startTrace(log: (line: string) => void, op: string, id: string): Trace {
  if (!traceEnabled) return off;
  const t0 = performance.now();
  let last = t0;
  const parts: string[] = [];
  let ended = false;
  return {
    mark(phase) {
      const now = performance.now();
      parts.push(`${phase}=${(now - last).toFixed(1)}`);
      last = now;
    },
    end(outcome) {
      if (ended) return;
      ended = true;
      log(`trace ${op} ${id.slice(0, 12)} total=${(performance.now() - t0).toFixed(1)}ms ${parts.join(' ')}${outcome ? ` ${outcome}` : ''}`);
    },
  };
}
