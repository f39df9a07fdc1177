/**
 * The worker side of `LayerApplier`: applies layers read from files, one request per
 * message, several at once if asked. Not imported by anything: started as a worker.
 */
import { createReadStream } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { kindOf } from '../../lib/errdefs/index.js';
import { applyLayer } from './apply-layer.js';
import type { ApplyRequest, ApplyResponse } from './layer-applier.js';

const port = parentPort!;
port.on('message', (req: ApplyRequest) => {
  const stream = createReadStream(req.path, { highWaterMark: 1024 * 1024 });
  applyLayer(req.dir, stream, req.options).then(
    (applied) => port.postMessage({ id: req.id, applied } satisfies ApplyResponse),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      port.postMessage({ id: req.id, error: { kind: kindOf(err), message } } satisfies ApplyResponse);
    },
  ).finally(() => stream.destroy());
});
