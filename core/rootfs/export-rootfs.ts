import { Readable } from 'node:stream';
import { tarTree } from './tree-tar.js';

/**
 * `docker export`: the tar of a container's whole merged root filesystem, as
 * Docker writes it: every entry named from the root without a leading `./`
 * (`bin/`, `bin/sh`…), the root itself left out, sockets skipped (Docker
 * skips them too); everything else, devices and FIFOs included, kept.
 * Only what is in the overlay mount is seen: volumes and the container's
 * bind mounts are not part of it, as with Docker.
 */
export function exportRootfs(mergedDir: string): Readable {
  return Readable.from(tarTree({ root: mergedDir, path: mergedDir, name: '' }), { objectMode: false });
}
