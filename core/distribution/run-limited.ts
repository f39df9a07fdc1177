/**
 * Runs `task` over `items` with at most `limit` running at once, in order of
 * the items. The first failure aborts `controller` (so running tasks can stop
 * early), waits for the running tasks to settle, starts no more, and is
 * rethrown.
 */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number, signal: AbortSignal) => Promise<void>,
  controller: AbortController = new AbortController(),
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length && !controller.signal.aborted) {
      const index = next++;
      try {
        await task(items[index]!, index, controller.signal);
      } catch (error) {
        failure ??= { error };
        controller.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  controller.signal.throwIfAborted();
}
