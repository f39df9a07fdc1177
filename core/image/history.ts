import { errorOf } from '../../lib/errdefs/index.js';
import type { ImageConfig } from './image-config.js';

/** One item of `GET /images/{name}/history` (keys in the order Docker writes them). */
export interface HistoryItem {
  Comment: string;
  Created: number;
  CreatedBy: string;
  Id: string;
  Size: number;
  Tags: string[] | null;
}

/** An image the history walk can name: its ID and its tags in familiar form (`busybox:local`). */
export interface NamedImage {
  id: string;
  tags: string[];
}

export interface HistoryOptions {
  /** The image itself. */
  image: NamedImage;
  /** The size of each layer's diff, in `rootfs.diff_ids` order. */
  layerSizes: readonly number[];
  /**
   * The image's local ancestry, nearest first (the `parent` chain of images
   * built or committed here). Pulled and imported images have none.
   */
  parents?: readonly NamedImage[];
}

/**
 * The history Docker reports for an image (moby's `ImageHistory`): the
 * config's `history`, newest first, each non-empty entry sized by its layer.
 * The newest entry carries the image's ID and tags; going down, each entry
 * takes the next local parent's, and once the parents run out the rest are
 * `<missing>` (so an imported or pulled image has its ID only on top).
 * More non-empty entries than layers is `failed-precondition`, as Docker
 * refuses it.
 */
export function historyOf(config: ImageConfig, opts: HistoryOptions): HistoryItem[] {
  const items: HistoryItem[] = [];
  let layer = 0;
  for (const entry of config.history ?? []) {
    let size = 0;
    if (!entry.empty_layer) {
      if (layer >= opts.layerSizes.length) throw errorOf('failed-precondition', 'too many non-empty layers in History section');
      size = opts.layerSizes[layer++]!;
    }
    items.unshift({
      Comment: entry.comment ?? '',
      Created: unixSeconds(entry.created),
      CreatedBy: entry.created_by ?? '',
      Id: '<missing>',
      Size: size,
      Tags: null,
    });
  }
  const chain = [opts.image, ...(opts.parents ?? [])];
  for (let i = 0; i < items.length && i < chain.length; i++) {
    items[i]!.Id = chain[i]!.id;
    items[i]!.Tags = chain[i]!.tags.length > 0 ? [...chain[i]!.tags] : null;
  }
  return items;
}

function unixSeconds(time: string | undefined): number {
  const ms = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}
