import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';

/**
 * The path a tar entry names, relative to the layer root, or `''` for the
 * root itself. A leading `/` is dropped, as Docker's `pkg/archive` does by
 * joining every name under the destination (and GNU tar by default); `.` and
 * empty components are dropped; any `..` component is refused outright.
 */
export function entryPath(name: string, what: string): string {
  if (name.includes('\0')) throw refusal(what, name, 'contains a NUL byte');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw refusal(what, name, 'has a ".." component that could leave the layer root');
  return parts.join('/');
}

export function refusal(what: string, name: string, why: string) {
  return errorOf('invalid-argument', `layer ${what} ${JSON.stringify(name)}: ${why}`);
}

/**
 * The directories of one layer root the applier has checked: a path is only
 * ever reached through components that are real directories, never through a
 * symlink (not even one pointing inside), so no write can leave the root.
 * Checked directories are remembered until something under them is removed.
 */
export class LayerTree {
  private readonly dirs = new Set<string>(['']);

  constructor(readonly root: string) {}

  abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  /**
   * Makes sure every parent of `rel` is a real directory, creating missing
   * ones (mode 0755, as Docker does); refuses a parent that is anything else.
   */
  async ensureParents(rel: string, what: string, name: string, create = true): Promise<void> {
    const parts = rel.split('/');
    let path = '';
    for (let i = 0; i < parts.length - 1; i++) {
      path = path === '' ? parts[i]! : `${path}/${parts[i]}`;
      if (this.dirs.has(path)) continue;
      const st = await lstat(this.abs(path)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (!st) {
        if (!create) throw refusal(what, name, `parent ${path} does not exist`);
        await mkdir(this.abs(path), 0o755);
      } else if (st.isSymbolicLink()) {
        throw refusal(what, name, `path goes through the symlink ${path}`);
      } else if (!st.isDirectory()) {
        throw refusal(what, name, `parent ${path} is not a directory`);
      }
      this.dirs.add(path);
    }
  }

  /** Records that `rel` is now a real directory. */
  addDir(rel: string): void {
    this.dirs.add(rel);
  }

  /** Forgets `rel` and everything under it, after it was removed or replaced. */
  forget(rel: string): void {
    for (const d of this.dirs) if (d === rel || d.startsWith(`${rel}/`)) this.dirs.delete(d);
  }
}
