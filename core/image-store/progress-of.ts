import { errorOf } from '../../lib/errdefs/index.js';
import { AsyncQueue } from '../events/async-queue.js';
import type { JsonMessage, ProgressEvent } from './image-store.js';

/** Messages kept while the reader is slower than the work; far more than any pull or push says. */
const queueLimit = 1_000_000;

/**
 * Runs `work`, which reports through a sink as it goes (the distribution library's
 * `onProgress`), as a progress stream: its messages as they come, then its result. Nothing
 * starts before iteration does. `signal` (the caller's) and leaving the loop early abort the
 * signal `work` is given; an aborted stream fails with `cancelled`.
 */
export async function* progressOf<T>(
  work: (sink: (message: JsonMessage) => void, signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): AsyncGenerator<ProgressEvent<T>> {
  const controller = new AbortController();
  const abort = () => controller.abort(errorOf('cancelled', 'cancelled by the client'));
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });
  const queue = new AsyncQueue<JsonMessage>(queueLimit, () => errorOf('internal', 'progress reader fell too far behind'));
  let result: { value: T } | undefined;
  const running = work((message) => queue.push(message), controller.signal).then(
    (value) => {
      result = { value };
      queue.end();
    },
    (err: unknown) => queue.end(controller.signal.aborted ? controller.signal.reason : err),
  );
  try {
    for await (const message of queue) yield { message };
    yield { result: result!.value };
  } finally {
    signal?.removeEventListener('abort', abort);
    if (result === undefined) abort();
    await running;
  }
}
