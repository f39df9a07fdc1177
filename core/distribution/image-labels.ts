import type { ContentStore, LabelChanges, Labels } from '../content/index.js';
import type { ImageIndex, ImageManifest } from '../image/oci.js';

/**
 * The labels pulled and pushed blobs carry, in containerd's vocabulary:
 * garbage-collection references from a manifest to its config and layers
 * and from an index to its manifests (so a holder on the top document keeps
 * the image alive), from a config to its unpacked snapshot, and where a blob
 * came from (`containerd.io/distribution.source.<registry>` = a comma list of
 * repositories), which push uses to mount instead of upload.
 */
export const distributionSourcePrefix = 'containerd.io/distribution.source.';
export const snapshotLabel = 'containerd.io/gc.ref.snapshot.overlayfs';

/** `containerd.io/gc.ref.content.config` and `….l.<i>` for a manifest's children. */
export function manifestLabels(manifest: ImageManifest): Labels {
  const labels: Labels = { 'containerd.io/gc.ref.content.config': manifest.config.digest };
  manifest.layers.forEach((layer, i) => (labels[`containerd.io/gc.ref.content.l.${i}`] = layer.digest));
  return labels;
}

/** `containerd.io/gc.ref.content.m.<i>` for the index entries kept locally. */
export function indexLabels(index: ImageIndex, kept: (digest: string) => boolean): Labels {
  const labels: Labels = {};
  index.manifests.forEach((m, i) => kept(m.digest) && (labels[`containerd.io/gc.ref.content.m.${i}`] = m.digest));
  return labels;
}

/** The repositories of `registry` a blob is known to come from. */
export function sourceRepos(labels: Labels, registry: string): string[] {
  const value = labels[distributionSourcePrefix + registry];
  return value === undefined || value === '' ? [] : value.split(',');
}

/** Adds `repo` to the blob's distribution source for `registry` (a no-op when listed already). */
export async function recordSource(content: ContentStore, digest: string, registry: string, repo: string): Promise<void> {
  const info = await content.info(digest);
  const repos = sourceRepos(info.labels, registry);
  if (repos.includes(repo)) return;
  const changes: LabelChanges = { [distributionSourcePrefix + registry]: [...repos, repo].join(',') };
  await content.updateLabels(digest, changes);
}
