import { isKind } from '../../lib/errdefs/index.js';
import type { ContentStore } from './content-store.js';

/**
 * Removes ingests not written to since `before` (interrupted pulls nobody
 * resumed). Ingests held by a live writer are skipped, whatever their age.
 * Returns the refs removed. Works over any `ContentStore`, local or remote.
 */
export async function pruneIngests(store: ContentStore, before: Date): Promise<string[]> {
  const removed: string[] = [];
  for (const status of await store.listIngests()) {
    if (status.updatedAt >= before) continue;
    try {
      await store.abort(status.ref);
      removed.push(status.ref);
    } catch (err) {
      if (!isKind(err, 'unavailable') && !isKind(err, 'not-found')) throw err;
    }
  }
  return removed;
}
