import type { BigIntStats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { lgetxattr, SyscallError } from '../sys/index.js';
import { compareNames, lstatBigOrNull } from './resolve.js';

/** Docker's change kinds (`docker diff`: C, A, D). */
export const ChangeKind = { Modify: 0, Add: 1, Delete: 2 } as const;
export type ChangeKindValue = (typeof ChangeKind)[keyof typeof ChangeKind];

/** One line of `GET /containers/{id}/changes`. */
export interface Change {
  Path: string;
  Kind: ChangeKindValue;
}

export interface OverlayDirs {
  upperDir: string;
  /** Top-most first, as overlay's `lowerdir` lists them. */
  lowerDirs: readonly string[];
}

/**
 * `docker diff` for an overlay container, as moby's `OverlayChanges`: walks
 * the upper directory in byte-wise name order (so the list is sorted by
 * path, component by component) and reports
 * - a whiteout (0/0 character device) as deleted;
 * - an opaque directory as deleted when the lowers had that path (it was
 *   removed and made again), else added;
 * - anything else as modified when the lowers show the same path, added
 *   when they do not; a directory whose size, mode and mtime equal the
 *   lower one's is not itself a change;
 * - the parent of an added or deleted path as modified (unless it already
 *   is listed, and never `/`).
 * "The lowers show a path" is overlay's own view of the lower stack:
 * whiteouts and opaque directories in upper lowers hide deeper ones, and
 * nothing below an opaque upper directory counts.
 */
export async function diffChanges(dirs: OverlayDirs): Promise<Change[]> {
  const changes: Change[] = [];
  const changedDirs = new Set<string>();
  const lowers = new LowerView(dirs.lowerDirs);

  async function walk(dir: string, hiddenBelow: boolean): Promise<void> {
    const names = (await readdir(posix.join(dirs.upperDir, dir))).sort(compareNames);
    for (const name of names) {
      const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const st = await lstatBigOrNull(posix.join(dirs.upperDir, path));
      if (st === null) continue;
      const opaque = st.isDirectory() && isOpaque(posix.join(dirs.upperDir, path));
      let kind: ChangeKindValue | undefined;
      if (isWhiteout(st)) {
        kind = ChangeKind.Delete;
      } else {
        const lower = hiddenBelow ? null : await lowers.lookup(path);
        if (opaque) {
          kind = lower ? ChangeKind.Delete : ChangeKind.Add;
        } else if (!lower) {
          kind = ChangeKind.Add;
        } else if (st.isDirectory() && lower.isDirectory() && sameDir(st, lower)) {
          kind = undefined; // only here because something below changed
        } else {
          kind = ChangeKind.Modify;
        }
      }
      if (kind !== undefined) {
        if (st.isDirectory()) changedDirs.add(path);
        if (kind !== ChangeKind.Modify) {
          const parent = posix.dirname(path);
          if (parent !== '/' && !changedDirs.has(parent)) {
            changes.push({ Path: parent, Kind: ChangeKind.Modify });
            changedDirs.add(parent);
          }
        }
        changes.push({ Path: path, Kind: kind });
      }
      if (st.isDirectory()) await walk(path, hiddenBelow || opaque);
    }
  }

  await walk('/', false);
  return changes;
}

/** An overlay whiteout: a character device numbered 0/0. */
export function isWhiteout(st: { isCharacterDevice(): boolean; rdev: number | bigint }): boolean {
  return st.isCharacterDevice() && BigInt(st.rdev) === 0n;
}

export function isOpaque(path: string): boolean {
  try {
    return lgetxattr(path, 'trusted.overlay.opaque')?.toString() === 'y';
  } catch (err) {
    if (err instanceof SyscallError && (err.code === 'ENOTSUP' || err.code === 'EOPNOTSUPP')) return false;
    throw err;
  }
}

function sameDir(a: BigIntStats, b: BigIntStats): boolean {
  if (a.size !== b.size || a.mode !== b.mode) return false;
  // moby's sameFsTime: equal seconds, and equal nanoseconds unless one side has none.
  const sec = 1_000_000_000n;
  if (a.mtimeNs / sec !== b.mtimeNs / sec) return false;
  const an = a.mtimeNs % sec;
  const bn = b.mtimeNs % sec;
  return an === bn || an === 0n || bn === 0n;
}

/** What overlayfs would show of the lower layers alone. */
class LowerView {
  constructor(private readonly layers: readonly string[]) {}

  /** The stat of `path` as the merged lowers show it, or null when they do not. */
  async lookup(path: string): Promise<BigIntStats | null> {
    const parts = path.split('/').filter((p) => p !== '');
    for (const layer of this.layers) {
      // Walk the parents in this layer: a whiteout or non-directory stops
      // the search everywhere below; an opaque directory stops it after
      // this layer.
      let stopAfter = false;
      let blocked = false;
      let cur = layer;
      for (let i = 0; i < parts.length - 1; i++) {
        cur = posix.join(cur, parts[i]!);
        const st = await lstatBigOrNull(cur);
        if (st === null) {
          blocked = true; // not in this layer; deeper layers may have it
          break;
        }
        if (!st.isDirectory()) return null; // whiteout or file hides the rest
        if (isOpaque(cur)) stopAfter = true;
      }
      if (!blocked) {
        const st = await lstatBigOrNull(posix.join(layer, ...parts));
        if (st !== null) return isWhiteout(st) ? null : st;
      }
      if (stopAfter) return null;
    }
    return null;
  }
}
