/**
 * Proto ↔ domain for the layer-store service, in both directions, in one place.
 */
import type * as pb from '../../api/moby/layer_store/v1/layer_store.js';
import { SnapshotKind as PbSnapshotKind } from '../../api/moby/layer_store/v1/layer_store.js';
import type { ContentInfo, IngestStatus, LabelChanges, ListFilter, ReadRange, WriterOptions } from '../../core/content/content-store.js';
import type { Digest } from '../../core/content/digest.js';
import type { GcSummary, LayerDescriptor, LeaseOptions, ResourceRef, UnpackOptions, UnpackResult } from '../../core/layers/layer-store.js';
import type { Mount, SnapshotInfo, SnapshotKind, SnapshotOptions, SnapshotUsage } from '../../core/snapshots/snapshotter.js';

// ---- content ----

export function contentInfoToProto(info: ContentInfo): pb.ContentInfo {
  return { digest: info.digest, size: info.size, createdAtMs: info.createdAt.getTime(), updatedAtMs: info.updatedAt.getTime(), labels: info.labels };
}

export function contentInfoFromProto(info: pb.ContentInfo | undefined): ContentInfo {
  const i = info ?? { digest: '', size: 0, createdAtMs: 0, updatedAtMs: 0, labels: {} };
  return { digest: i.digest as Digest, size: i.size, createdAt: new Date(i.createdAtMs), updatedAt: new Date(i.updatedAtMs), labels: { ...i.labels } };
}

export function ingestStatusToProto(s: IngestStatus): pb.IngestStatus {
  return { ref: s.ref, offset: s.offset, total: s.total, expected: s.expected, startedAtMs: s.startedAt.getTime(), updatedAtMs: s.updatedAt.getTime() };
}

export function ingestStatusFromProto(s: pb.IngestStatus | undefined): IngestStatus {
  const status: IngestStatus = { ref: s?.ref ?? '', offset: s?.offset ?? 0, startedAt: new Date(s?.startedAtMs ?? 0), updatedAt: new Date(s?.updatedAtMs ?? 0) };
  if (s?.total !== undefined) status.total = s.total;
  if (s?.expected !== undefined) status.expected = s.expected as Digest;
  return status;
}

export function labelChangesToProto(changes: LabelChanges): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const [key, value] of Object.entries(changes)) value === null ? remove.push(key) : (set[key] = value);
  return { set, remove };
}

export function labelChangesFromProto(req: { set: Record<string, string>; remove: string[] }): LabelChanges {
  const changes: LabelChanges = { ...req.set };
  for (const key of req.remove) changes[key] = null;
  return changes;
}

export function listFilterToProto(filter?: ListFilter): pb.ListContentRequest {
  const labelEquals: Record<string, string> = {};
  const labelPresent: string[] = [];
  for (const [key, value] of Object.entries(filter?.labels ?? {})) value === true ? labelPresent.push(key) : (labelEquals[key] = value);
  return { labelEquals, labelPresent };
}

export function listFilterFromProto(req: pb.ListContentRequest): ListFilter {
  const labels: Record<string, string | true> = { ...req.labelEquals };
  for (const key of req.labelPresent) labels[key] = true;
  return { labels };
}

export function readRangeFromProto(req: pb.ReadContentRequest): ReadRange {
  return { offset: req.offset, length: req.length };
}

export function writerOptionsFromProto(req: pb.WriteContentRequest): WriterOptions {
  return { expected: req.expected, size: req.total };
}

// ---- snapshots ----

const kindToProto: Record<SnapshotKind, PbSnapshotKind> = {
  active: PbSnapshotKind.SNAPSHOT_KIND_ACTIVE,
  view: PbSnapshotKind.SNAPSHOT_KIND_VIEW,
  committed: PbSnapshotKind.SNAPSHOT_KIND_COMMITTED,
};

export function snapshotInfoToProto(info: SnapshotInfo): pb.SnapshotInfo {
  return {
    key: info.key, parent: info.parent, kind: kindToProto[info.kind], labels: info.labels,
    createdAtMs: info.created.getTime(), updatedAtMs: info.updated.getTime(),
  };
}

export function snapshotInfoFromProto(info: pb.SnapshotInfo | undefined): SnapshotInfo {
  const i = info ?? { key: '', kind: PbSnapshotKind.SNAPSHOT_KIND_UNSPECIFIED, labels: {}, createdAtMs: 0, updatedAtMs: 0 };
  const kind = (Object.keys(kindToProto) as SnapshotKind[]).find((k) => kindToProto[k] === i.kind) ?? 'active';
  const out: SnapshotInfo = { key: i.key, kind, labels: { ...i.labels }, created: new Date(i.createdAtMs), updated: new Date(i.updatedAtMs) };
  if (i.parent !== undefined) out.parent = i.parent;
  return out;
}

export function mountsToProto(mounts: Mount[]): pb.Mount[] {
  return mounts.map(({ type, source, options }) => ({ type, source, options }));
}

export function mountsFromProto(mounts: pb.Mount[]): Mount[] {
  return mounts.map(({ type, source, options }) => ({ type, source, options: [...options] }));
}

/** Requests carry labels as a (possibly empty) map; no labels means no options, as in-process. */
export function snapshotOptionsFromProto(labels: Record<string, string>): SnapshotOptions | undefined {
  return Object.keys(labels).length > 0 ? { labels } : undefined;
}

export function usageToProto(u: SnapshotUsage): pb.UsageResponse {
  return { size: u.size, inodes: u.inodes };
}

export function usageFromProto(u: pb.UsageResponse): SnapshotUsage {
  return { size: u.size, inodes: u.inodes };
}

// ---- layers and references ----

export function refToProto(ref: ResourceRef): pb.ResourceRef {
  return { kind: ref.kind, id: ref.id };
}

export function refFromProto(ref: pb.ResourceRef | undefined): ResourceRef {
  return { kind: ref?.kind ?? '', id: ref?.id ?? '' };
}

export function unpackToProto(layers: LayerDescriptor[], opts: UnpackOptions = {}): pb.UnpackRequest {
  return {
    layers: layers.map(({ digest, mediaType, size }) => ({ digest, mediaType, size })),
    expectedDiffIds: opts.expectedDiffIds ? { ids: opts.expectedDiffIds } : undefined,
    lease: opts.lease,
  };
}

export function unpackFromProto(req: pb.UnpackRequest): { layers: LayerDescriptor[]; opts: UnpackOptions } {
  const opts: UnpackOptions = {};
  if (req.expectedDiffIds) opts.expectedDiffIds = [...req.expectedDiffIds.ids];
  if (req.lease !== undefined) opts.lease = req.lease;
  return { layers: req.layers.map(({ digest, mediaType, size }) => ({ digest, mediaType, size })), opts };
}

export function unpackResultToProto(r: UnpackResult): pb.UnpackResponse {
  return { diffIds: r.diffIds, chainIds: r.chainIds, applied: r.applied };
}

export function unpackResultFromProto(r: pb.UnpackResponse): UnpackResult {
  return { diffIds: [...r.diffIds], chainIds: [...r.chainIds], applied: r.applied };
}

export function holderToProto(h: { holder: ResourceRef; refs: ResourceRef[] }): pb.Holder {
  return { holder: refToProto(h.holder), refs: h.refs.map(refToProto) };
}

export function holderFromProto(h: pb.Holder): { holder: ResourceRef; refs: ResourceRef[] } {
  return { holder: refFromProto(h.holder), refs: h.refs.map(refFromProto) };
}

export function leaseOptionsFromProto(req: pb.CreateLeaseRequest): LeaseOptions | undefined {
  return req.expiresInMs === undefined ? undefined : { expiresInMs: req.expiresInMs };
}

export function gcSummaryToProto(s: GcSummary): pb.CollectGarbageResponse {
  return { content: s.content, snapshots: s.snapshots, leases: s.leases, failures: s.failures.map((f) => ({ ...f })) };
}

export function gcSummaryFromProto(s: pb.CollectGarbageResponse): GcSummary {
  return { content: [...s.content], snapshots: [...s.snapshots], leases: [...s.leases], failures: s.failures.map(({ kind, id, message }) => ({ kind, id, message })) };
}
