import { errorOf } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';

/**
 * Paths inside an image archive. Entries are named relative to the archive
 * root; `./x` and `x` are the same file (tarring a directory with `tar -C d .`
 * writes the former). Anything that could name a file outside the archive is
 * refused with `invalid-argument`: absolute names, `..` components, NUL bytes,
 * and links whose target leaves the root.
 */
export function archivePath(name: string, what = 'archive entry'): string {
  if (name.includes('\0')) throw refused(what, name, 'contains a NUL byte');
  if (name.startsWith('/')) throw refused(what, name, 'is an absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw refused(what, name, 'has a ".." component');
  return parts.join('/');
}

/**
 * Where a symlink at `path` pointing at `linkname` leads, relative to the
 * archive root. `..` is allowed while it stays inside (`a/layer.tar` →
 * `../b/layer.tar` is how Docker shares a layer between two directories).
 */
export function symlinkTarget(path: string, linkname: string): string {
  if (linkname.includes('\0')) throw refused('symlink', path, 'has a NUL byte in its target');
  if (linkname.startsWith('/')) throw refused('symlink', path, `points at the absolute path ${JSON.stringify(linkname)}, outside the archive`);
  const parts = path.split('/').slice(0, -1);
  for (const part of linkname.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw refused('symlink', path, `points at ${JSON.stringify(linkname)}, outside the archive`);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function refused(what: string, name: string, why: string) {
  return errorOf('invalid-argument', `${what} ${JSON.stringify(name)} ${why}`);
}

/**
 * The digest a path's name promises, if any: OCI blobs (`blobs/sha256/<hex>`)
 * anywhere, and for configs also Docker's `<hex>.json` and
 * go-containerregistry's `sha256:<hex>`.
 */
export function digestInName(path: string, config = false): Digest | undefined {
  const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
  if (blob) return `sha256:${blob[1]}`;
  if (!config) return undefined;
  const base = path.slice(path.lastIndexOf('/') + 1);
  const named = /^(?:sha256:)?([a-f0-9]{64})(?:\.json)?$/.exec(base);
  return named ? `sha256:${named[1]}` : undefined;
}

/** `blobs/sha256/<hex>`, where an OCI layout keeps the blob `digest`. */
export function blobPath(digest: Digest): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}
