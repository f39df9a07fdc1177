import { Readable } from 'node:stream';
import { locate, statOf, type ContainerPathStat, type PathOptions } from './stat-path.js';
import { goBase } from './resolve.js';
import { tarTree } from './tree-tar.js';

export interface PathArchive {
  /** What `X-Docker-Container-Path-Stat` carries for the path. */
  stat: ContainerPathStat;
  /** The tar; destroying it stops the walk and releases its descriptors. */
  stream: Readable;
}

/**
 * `GET /containers/{id}/archive?path=`: the tar of `path` inside `root` (the
 * container's merged root filesystem), with Docker's naming: the entries
 * start with the basename of the path as given (`etc/`, `etc/passwd`…; a
 * file or a symlink is one entry, the symlink not followed); `dir/.` is the
 * directory's contents (`./`, `./passwd`…); `dir/` where `dir` is a symlink
 * to a directory archives that directory under the name `dir`. The root
 * itself (`/`) is archived as `/.`.
 *
 * Errors come before any byte is produced: a missing path is `not-found`
 * (`Could not find the file /x in container c`).
 */
export async function archivePath(root: string, path: string, opts: PathOptions = {}): Promise<PathArchive> {
  const found = await locate(root, path, opts);
  const stat = await statOf(root, found);
  let name = goBase(found.absPath);
  if (name === '/' ) name = '.';
  const stream = Readable.from(tarTree({ root, path: found.hostPath, name }), { objectMode: false });
  return { stat, stream };
}
