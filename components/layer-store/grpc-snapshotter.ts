/**
 * `Snapshotter` over the layer-store service. The mounts it returns name the server's paths:
 * they are performed on the same node.
 */
import type { LayerStoreClient } from '../../api/moby/layer_store/v1/layer_store.js';
import type { Mount, SnapshotInfo, SnapshotOptions, SnapshotUsage, Snapshotter } from '../../core/snapshots/snapshotter.js';
import { unary } from '../../lib/component/grpc-call.js';
import * as cv from './convert.js';

export class GrpcSnapshotter implements Snapshotter {
  constructor(private readonly client: LayerStoreClient) {}

  async stat(key: string): Promise<SnapshotInfo> {
    return cv.snapshotInfoFromProto((await unary(this.client.statSnapshot.bind(this.client), { key })).info);
  }

  async list(): Promise<SnapshotInfo[]> {
    return (await unary(this.client.listSnapshots.bind(this.client), {})).snapshots.map(cv.snapshotInfoFromProto);
  }

  async usage(key: string): Promise<SnapshotUsage> {
    return cv.usageFromProto(await unary(this.client.usage.bind(this.client), { key }));
  }

  async mounts(key: string): Promise<Mount[]> {
    return cv.mountsFromProto((await unary(this.client.mounts.bind(this.client), { key })).mounts);
  }

  async prepare(key: string, parent?: string, opts?: SnapshotOptions): Promise<Mount[]> {
    const res = await unary(this.client.prepare.bind(this.client), { key, parent, labels: opts?.labels ?? {} });
    return cv.mountsFromProto(res.mounts);
  }

  async view(key: string, parent?: string, opts?: SnapshotOptions): Promise<Mount[]> {
    const res = await unary(this.client.view.bind(this.client), { key, parent, labels: opts?.labels ?? {} });
    return cv.mountsFromProto(res.mounts);
  }

  async commit(name: string, key: string, opts?: SnapshotOptions): Promise<void> {
    await unary(this.client.commit.bind(this.client), { name, key, labels: opts?.labels ?? {} });
  }

  async remove(key: string): Promise<void> {
    await unary(this.client.removeSnapshot.bind(this.client), { key });
  }

  /** The server's snapshotter stays open; the channel belongs to the `GrpcLayerStore`. */
  async close(): Promise<void> {}
}
