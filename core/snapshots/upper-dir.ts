import { errorOf } from '../../lib/errdefs/index.js';
import type { Mount } from './snapshotter.js';

/**
 * The directory that receives writes for an active snapshot's mounts: the
 * overlay `upperdir`, or the source of a read-write bind. Layers are applied
 * there directly, unmounted, as Docker's overlay2 driver and containerd's
 * overlay applier do; whiteouts written there are what overlayfs reads.
 */
export function upperDirOf(mounts: readonly Mount[]): string {
  const [m] = mounts;
  if (mounts.length === 1 && m) {
    if (m.type === 'overlay') {
      const upper = m.options.find((o) => o.startsWith('upperdir='));
      if (upper) return upper.slice('upperdir='.length);
    }
    if (m.type === 'bind' && !m.options.includes('ro')) return m.source;
  }
  throw errorOf('failed-precondition', `mounts ${JSON.stringify(mounts)}: not a writable snapshot`);
}
