import type { BigIntStats } from 'node:fs';
import { chmod, copyFile, constants, lchown, link, lstat, mkdir, open, readdir, readlink, symlink, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { hostPath, lstatOrNull, O_DIR_NOFOLLOW, openDirIn, procFd, resolveInContainer } from '../rootfs/resolve.js';
import { lutimes, mknod, S_IFBLK, S_IFCHR, S_IFIFO, type Timespec } from '../sys/index.js';

/**
 * Docker's `CopyImagePathContent`: fills an empty volume with what the image
 * has at the mount's destination (files, directories, symlinks as links,
 * hard links, device nodes and FIFOs; owners, modes and times; not xattrs).
 *
 * The destination is resolved inside `rootfs` as the container would see it
 * (symlinks followed within the root, never out of it); nothing happens when
 * it does not exist or is not a directory, or when the volume already holds
 * something. Directories are opened one by one without following symlinks,
 * so a symlink swapped in during the walk is not followed either.
 * Returns whether anything was copied.
 */
export async function copyUp(rootfs: string, destination: string, volumePath: string): Promise<boolean> {
  const inContainer = await resolveInContainer(rootfs, destination);
  const source = hostPath(rootfs, inContainer);
  const st = await lstatOrNull(source);
  if (st === null || !st.isDirectory()) return false;
  if ((await readdir(volumePath)).length > 0) return false;
  const dir = await openDirIn(rootfs, source);
  try {
    const rootStat = await dir.stat({ bigint: true });
    await copyChildren(procFd(dir.fd), volumePath, new Map());
    await copyMetadata(rootStat, volumePath);
  } finally {
    await dir.close();
  }
  return true;
}

async function copyChildren(srcDir: string, dstDir: string, inodes: Map<string, string>): Promise<void> {
  for (const name of await readdir(srcDir)) {
    const src = `${srcDir}/${name}`;
    const dst = posix.join(dstDir, name);
    const st = await lstat(src, { bigint: true });
    if (st.isDirectory()) {
      let child: FileHandle;
      try {
        child = await open(src, O_DIR_NOFOLLOW);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ELOOP' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
        throw err;
      }
      try {
        await mkdir(dst, 0o700);
        await copyChildren(procFd(child.fd), dst, inodes);
      } finally {
        await child.close();
      }
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1n ? inodes.get(key) : undefined;
      if (first !== undefined) {
        await link(first, dst);
        continue; // shares the first copy's metadata
      }
      if (!(await copyRegular(src, dst))) continue;
      if (st.nlink > 1n) inodes.set(key, dst);
    } else if (st.isSymbolicLink()) {
      await symlink(await readlink(src), dst);
    } else if (st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice()) {
      const type = st.isFIFO() ? S_IFIFO : st.isCharacterDevice() ? S_IFCHR : S_IFBLK;
      mknod(dst, type | Number(st.mode & 0o7777n), st.isFIFO() ? 0n : st.rdev);
    } else {
      continue; // sockets and the like: not copied, as Docker
    }
    await copyMetadata(st, dst);
  }
}

/** Copies a regular file opened without following a symlink swapped in for it. */
async function copyRegular(src: string, dst: string): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(src, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return false;
    throw err;
  }
  try {
    await copyFile(procFd(fh.fd), dst, constants.COPYFILE_EXCL);
    return true;
  } finally {
    await fh.close();
  }
}

function timespec(ns: bigint): Timespec {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

/** Owner, then mode (chown clears set-id bits), then times; symlinks keep their own mode. */
async function copyMetadata(st: BigIntStats, dst: string): Promise<void> {
  await lchown(dst, Number(st.uid), Number(st.gid));
  if (!st.isSymbolicLink()) await chmod(dst, Number(st.mode & 0o7777n));
  lutimes(dst, timespec(st.atimeNs), timespec(st.mtimeNs));
}
