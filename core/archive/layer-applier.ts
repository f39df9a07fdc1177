import { Worker } from 'node:worker_threads';
import { errorOf, type ErrorKind } from '../../lib/errdefs/index.js';
import type { AppliedLayer, ApplyLayerOptions } from './apply-layer.js';

export interface ApplyRequest {
  id: number;
  dir: string;
  /** A file holding the layer blob, read whole. */
  path: string;
  options: ApplyLayerOptions;
}

export type ApplyResponse =
  | { id: number; applied: AppliedLayer; error?: undefined }
  | { id: number; error: { kind: ErrorKind; message: string } };

/**
 * `applyLayer` of a layer blob in a file, on a worker thread: gunzip, tar parsing, the
 * diff ID's sha256 and the file writes run beside the caller's event loop (which, in a
 * pull, is busy downloading and verifying the next layers) instead of on it. Results and
 * errors are `applyLayer`'s (a `MobyError` keeps its kind and message). The worker starts
 * with the first request and does not keep the process alive; `close` stops it.
 */
export class LayerApplier {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (a: AppliedLayer) => void; reject: (e: unknown) => void }>();

  apply(dir: string, path: string, options: ApplyLayerOptions = {}): Promise<AppliedLayer> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<AppliedLayer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, dir, path, options } satisfies ApplyRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./apply-layer-thread.js', import.meta.url));
    worker.unref();
    worker.on('message', (res: ApplyResponse) => {
      const waiter = this.pending.get(res.id);
      if (!waiter) return;
      this.settle(res.id);
      if (res.error) waiter.reject(errorOf(res.error.kind, res.error.message));
      else waiter.resolve(res.applied);
    });
    const failAll = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiter] of this.pending) {
        this.settle(id);
        waiter.reject(errorOf('internal', `apply layer: worker thread: ${err.message}`, err));
      }
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }
}
