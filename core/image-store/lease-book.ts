import { isKind } from '../../lib/errdefs/index.js';
import type { LayerStore } from '../layers/layer-store.js';
import type { MetadataStore } from '../metadata/index.js';

const leasePrefix = 'lease/';
/** The ingest refs of this store's writes, so that a restart can abort what a crash left. */
export const ingestPrefix = 'image-store-';
/** How long a lease outlives a crash if a restart does not end it first. */
const leaseMs = 24 * 60 * 60 * 1000;

/**
 * The layer-store leases this image store holds, written down in its own database so
 * that a restart after a crash (a load killed halfway) ends them at once rather than when
 * they expire: what the interrupted work stored is then collected, and no blob of it stays.
 */
export class LeaseBook {
  constructor(
    private readonly layers: LayerStore,
    private readonly db: MetadataStore,
  ) {}

  async create(): Promise<string> {
    const lease = await this.layers.createLease({ expiresInMs: leaseMs });
    this.db.update((tx) => tx.kv.set(leasePrefix + lease, this.db.clock().toISOString()));
    return lease;
  }

  async release(lease: string): Promise<void> {
    await this.layers.deleteLease(lease).catch((err: unknown) => {
      if (!isKind(err, 'not-found')) throw err;
    });
    this.db.update((tx) => tx.kv.delete(leasePrefix + lease));
  }

  /** Ends the leases and aborts the ingests a previous run left, then collects garbage. */
  async recover(): Promise<void> {
    const leases = this.db.view((tx) => tx.kv.list(leasePrefix)).map(([key]) => key.slice(leasePrefix.length));
    for (const lease of leases) await this.release(lease);
    const ingests = (await this.layers.content.listIngests()).filter((i) => i.ref.startsWith(ingestPrefix));
    for (const ingest of ingests) await this.layers.content.abort(ingest.ref).catch(() => undefined);
    await this.layers.collectGarbage();
  }
}
