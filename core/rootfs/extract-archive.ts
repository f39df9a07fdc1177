import { constants, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, rm, symlink, chmod, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { errorOf, MobyError, wrap } from '../../lib/errdefs/index.js';
import { readTar, type TarEntry } from '../archive/index.js';
import type { TarHeader } from '../archive/index.js';
import { resolveUser } from '../bundle/user.js';
import {
  lchown, lsetxattr, lutimes, makedev, mknod, S_IFBLK, S_IFCHR, S_IFIFO, SyscallError, type Timespec,
} from '../sys/index.js';
import { absContainerPath, hostPath, O_DIR_NOFOLLOW, O_PATH, openDirIn, procFd, resolveInContainer } from './resolve.js';
import { notFound, type PathOptions } from './stat-path.js';

export interface ExtractOptions extends PathOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (the CLI always sets it). */
  noOverwriteDirNonDir?: boolean;
  /**
   * `cp -a`: every entry is owned by the container's user (`user`, resolved
   * against the container's own /etc/passwd and /etc/group) instead of the
   * ids in the tar. Without a user, the tar's ids are kept, as Docker does.
   */
  copyUIDGID?: boolean;
  /** The container's `Config.User`, for `copyUIDGID`. */
  user?: string;
}

export interface ExtractResult {
  entries: number;
  /** What was skipped without failing (xattrs the kernel refused). */
  warnings: string[];
}

const FILE_CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * `PUT /containers/{id}/archive?path=`: extracts a tar beneath `path` inside
 * `root` (the container's merged root filesystem). `path` is resolved inside
 * the root, its own final symlink included, and must be an existing
 * directory (`not-found` with Docker's wording, or `invalid-argument`
 * "extraction point is not a directory").
 *
 * Every entry is written beneath that directory and nowhere else: a name or
 * hard-link target with a `..` component is refused, as is any entry whose
 * path goes through a symlink (whether the tar made it or the container
 * had it), a hard link to a missing file or a directory, and a symlink whose
 * target leaves the destination (Docker's "invalid symlink" rule). Parents are
 * walked one directory descriptor at a time without following symlinks, so a
 * running container swapping a directory for a symlink cannot redirect a
 * write. Refusals are `invalid-argument`; entries before the refused one stay
 * written, as with Docker. A corrupt or truncated tar is `invalid-argument`.
 *
 * Owners, modes (with setuid/setgid/sticky), times and xattrs come from the
 * tar (a missing parent is made 0755 root:root, as Docker does); an existing
 * entry is replaced, an existing directory merged into.
 */
export async function extractArchive(
  root: string, path: string, tar: AsyncIterable<Uint8Array>, opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const absPath = absContainerPath(path);
  const dest = await resolveInContainer(root, absPath);
  let st: Stats;
  try {
    st = await lstat(hostPath(root, dest));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(path, opts);
    throw err;
  }
  if (!st.isDirectory()) throw errorOf('invalid-argument', 'extraction point is not a directory');
  let owner: { uid: number; gid: number } | undefined;
  if (opts.copyUIDGID && opts.user) {
    const u = await resolveUser(root, opts.user);
    owner = { uid: u.uid, gid: u.gid };
  }
  const writer = new Extractor(dest, await openDirIn(root, hostPath(root, dest)), opts, owner);
  try {
    for await (const e of readTar(tar)) await writer.write(e);
    await writer.finish();
  } catch (err) {
    if (err instanceof MobyError) throw err;
    // A read-only mount inside a running container's view (Docker's words and 403).
    if ((err as NodeJS.ErrnoException).code === 'EROFS') throw errorOf('permission-denied', 'mounted volume is marked read-only', err);
    throw wrap(err, `extract archive to ${absPath}`);
  } finally {
    await writer.close();
  }
  return { entries: writer.entries, warnings: writer.warnings };
}

interface OpenDir {
  rel: string;
  fh: FileHandle;
}

class Extractor {
  /** Descriptors of the destination and the directories down to the last entry's parent. */
  private chain: OpenDir[];
  private readonly dirTimes: [string, Timespec, Timespec][] = [];
  readonly warnings: string[] = [];
  entries = 0;

  constructor(
    private readonly dest: string,
    destFh: FileHandle,
    private readonly opts: ExtractOptions,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {
    this.chain = [{ rel: '', fh: destFh }];
  }

  async write({ header, body }: TarEntry): Promise<void> {
    const rel = cleanName(header.name, 'entry');
    if (header.type === 'other') {
      throw errorOf('invalid-argument', `archive entry ${JSON.stringify(header.name)}: unhandled tar header type ${JSON.stringify(header.typeflag)}`);
    }
    this.entries++;
    if (rel === '') {
      if (header.type !== 'directory') throw refusal(header.name, 'names the destination but is not a directory');
      return; // as Docker: the destination itself is left as it is
    }
    const slash = rel.lastIndexOf('/');
    const parentRel = slash < 0 ? '' : rel.slice(0, slash);
    const base = rel.slice(slash + 1);
    const parent = await this.dirOf(parentRel, header.name, true);
    const at = `${parent}/${base}`;
    const existing = await lstatOrNull(at);
    const isDir = header.type === 'directory';
    if (existing) {
      const inContainer = posix.join(this.dest, rel);
      if (this.opts.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
        throw errorOf('invalid-argument', `cannot overwrite directory ${JSON.stringify(inContainer)} with non-directory ${JSON.stringify(this.dest)}`);
      }
      if (this.opts.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
        throw errorOf('invalid-argument', `cannot overwrite non-directory ${JSON.stringify(inContainer)} with directory ${JSON.stringify(this.dest)}`);
      }
      if (!(existing.isDirectory() && isDir)) await rm(at, { recursive: true, force: true });
    }
    const uid = this.owner?.uid ?? header.uid;
    const gid = this.owner?.gid ?? header.gid;
    switch (header.type) {
      case 'directory':
        if (!existing?.isDirectory()) await mkdir(at, 0o700);
        await this.withDir(at, async (fh) => {
          await fh.chown(uid, gid);
          await fh.chmod(header.mode);
        });
        break;
      case 'file': {
        const fh = await open(at, FILE_CREATE, 0o600);
        try {
          for await (const chunk of body) await fh.write(chunk);
          // chown clears setuid/setgid: mode after it.
          await fh.chown(uid, gid);
          await fh.chmod(header.mode);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'symlink': {
        if (header.linkname === '') throw refusal(header.name, 'is a symlink with an empty target');
        const lands = posix.normalize(`/D/${parentRel}/${header.linkname}`);
        if (lands !== '/D' && !lands.startsWith('/D/')) {
          throw refusal(header.name, `invalid symlink ${JSON.stringify(posix.join(this.dest, rel))} -> ${JSON.stringify(header.linkname)}`);
        }
        await symlink(header.linkname, at);
        lchown(at, uid, gid);
        break;
      }
      case 'link':
        // The inode is the target's: its owner, mode and times stay as they are.
        await this.hardlink(at, header);
        return;
      case 'char':
      case 'block':
      case 'fifo': {
        const type = header.type === 'char' ? S_IFCHR : header.type === 'block' ? S_IFBLK : S_IFIFO;
        mknod(at, type | (header.mode & 0o777), header.type === 'fifo' ? 0n : makedev(header.devmajor, header.devminor));
        lchown(at, uid, gid);
        await this.chmodSpecial(at, header.mode);
        break;
      }
    }
    for (const [name, value] of header.xattrs) this.setXattr(at, header.name, name, value);
    const times: [Timespec, Timespec] = [header.atime ?? header.mtime, header.mtime];
    if (isDir) this.dirTimes.push([rel, ...times]);
    else lutimes(at, ...times);
  }

  /** Directory times last: writing into a directory changes them. */
  async finish(): Promise<void> {
    for (const [rel, atime, mtime] of this.dirTimes) {
      const slash = rel.lastIndexOf('/');
      let parent: string;
      try {
        parent = await this.dirOf(slash < 0 ? '' : rel.slice(0, slash), rel, false);
      } catch {
        continue; // replaced by a later entry
      }
      const at = `${parent}/${rel.slice(slash + 1)}`;
      if ((await lstatOrNull(at))?.isDirectory()) lutimes(at, atime, mtime);
    }
  }

  async close(): Promise<void> {
    for (const d of this.chain) await d.fh.close().catch(() => undefined);
    this.chain = [];
  }

  /**
   * A `/proc/self/fd/<n>` path for directory `rel` beneath the destination,
   * reached one component at a time, each opened without following a
   * symlink; missing directories are made (0755) when `create`.
   */
  private async dirOf(rel: string, entry: string, create: boolean): Promise<string> {
    const parts = rel === '' ? [] : rel.split('/');
    // Keep the common prefix of the open chain.
    let keep = 1;
    while (keep < this.chain.length && keep - 1 < parts.length && this.chain[keep]!.rel === parts.slice(0, keep).join('/')) keep++;
    for (const d of this.chain.splice(keep)) await d.fh.close();
    for (let i = keep - 1; i < parts.length; i++) {
      const parentPath = procFd(this.chain[this.chain.length - 1]!.fh.fd);
      const childRel = parts.slice(0, i + 1).join('/');
      const child = `${parentPath}/${parts[i]}`;
      let fh: FileHandle;
      try {
        fh = await open(child, O_DIR_NOFOLLOW);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && create) {
          await mkdir(child, 0o755);
          fh = await open(child, O_DIR_NOFOLLOW);
        } else if (code === 'ELOOP' || (code === 'ENOTDIR' && (await lstatOrNull(child))?.isSymbolicLink())) {
          throw refusal(entry, `path goes through the symlink ${posix.join(this.dest, childRel)}`);
        } else if (code === 'ENOTDIR') {
          throw refusal(entry, `parent ${posix.join(this.dest, childRel)} is not a directory`);
        } else if (code === 'ENOENT') {
          throw refusal(entry, `parent ${posix.join(this.dest, childRel)} does not exist`);
        } else {
          throw err;
        }
      }
      this.chain.push({ rel: childRel, fh });
    }
    return procFd(this.chain[this.chain.length - 1]!.fh.fd);
  }

  private async hardlink(at: string, header: TarHeader): Promise<void> {
    const targetRel = cleanName(header.linkname, 'hardlink target');
    if (targetRel === '') throw refusal(header.name, 'is a hard link to the destination directory');
    const slash = targetRel.lastIndexOf('/');
    // Resolved apart from the chain, which holds the new entry's parent.
    const parent = await this.openPath(slash < 0 ? '' : targetRel.slice(0, slash), header.name);
    try {
      const target = `${parent.path}/${targetRel.slice(slash + 1)}`;
      const st = await lstatOrNull(target);
      if (!st) throw refusal(header.name, `hard link target ${JSON.stringify(header.linkname)} does not exist`);
      if (st.isDirectory()) throw refusal(header.name, `hard link target ${JSON.stringify(header.linkname)} is a directory`);
      // link(2) does not follow a symlink target: it links the symlink itself.
      await link(target, at);
    } finally {
      await parent.close();
    }
  }

  /** Opens directory `rel` beneath the destination (no creation, no symlinks), separately from the chain. */
  private async openPath(rel: string, entry: string): Promise<{ path: string; close(): Promise<void> }> {
    const opened: FileHandle[] = [];
    const close = async () => { for (const fh of opened.reverse()) await fh.close(); };
    try {
      let cur = procFd(this.chain[0]!.fh.fd);
      for (const part of rel === '' ? [] : rel.split('/')) {
        let fh: FileHandle;
        try {
          fh = await open(`${cur}/${part}`, O_DIR_NOFOLLOW);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ELOOP' || (code === 'ENOTDIR' && (await lstatOrNull(`${cur}/${part}`))?.isSymbolicLink())) {
            throw refusal(entry, `hard link target path goes through the symlink ${part}`);
          }
          if (code === 'ENOENT' || code === 'ENOTDIR') throw refusal(entry, `hard link target parent ${rel} is not a directory in the destination`);
          throw err;
        }
        opened.push(fh);
        cur = procFd(fh.fd);
      }
      return { path: cur, close };
    } catch (err) {
      await close();
      throw err;
    }
  }

  private async withDir(at: string, fn: (fh: FileHandle) => Promise<void>): Promise<void> {
    const fh = await open(at, O_DIR_NOFOLLOW);
    try {
      await fn(fh);
    } finally {
      await fh.close();
    }
  }

  /** chmod of a device or FIFO through an O_PATH descriptor, so a swapped-in symlink is never followed. */
  private async chmodSpecial(at: string, mode: number): Promise<void> {
    const fh = await open(at, O_PATH | constants.O_NOFOLLOW);
    try {
      const st = await fh.stat();
      if (st.isSymbolicLink() || st.isDirectory() || st.isFile()) throw refusal(at, 'was replaced while being extracted');
      await chmod(procFd(fh.fd), mode);
    } finally {
      await fh.close();
    }
  }

  private setXattr(at: string, entry: string, name: string, value: Buffer): void {
    if (name.startsWith('trusted.overlay.')) {
      this.warnings.push(`${entry}: xattr ${name} not set: reserved for overlayfs`);
      return;
    }
    try {
      lsetxattr(at, name, value);
    } catch (err) {
      if (!(err instanceof SyscallError && ['EPERM', 'ENOTSUP', 'EOPNOTSUPP'].includes(err.code))) throw err;
      this.warnings.push(`${entry}: xattr ${name} not set: ${err.code}`);
    }
  }
}

/** The entry's path below the destination (`''` for itself); `..` components are refused. */
function cleanName(name: string, what: string): string {
  if (name.includes('\0')) throw refusal(name, `${what} contains a NUL byte`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw refusal(name, `${what} has a ".." component that could leave the destination`);
  return parts.join('/');
}

function refusal(name: string, why: string) {
  return errorOf('invalid-argument', `archive entry ${JSON.stringify(name)}: ${why}`);
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
