import { constants, type Stats } from 'node:fs';
import { chmod, link, lstat, mkdir, open, rm, symlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import {
  lchown, lsetxattr, lutimes, makedev, mknod, S_IFBLK, S_IFCHR, S_IFIFO, SyscallError, type Timespec,
} from '../sys/index.js';
import { entryPath, LayerTree, refusal } from './layer-path.js';
import type { TarEntry } from './tar-reader.js';
import type { TarHeader } from './tar-header.js';

const WHITEOUT = '.wh.';
const WHITEOUT_META = '.wh..wh.';
const OPAQUE = '.wh..wh..opq';
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes tar entries into an overlay upper directory, turning OCI whiteouts
 * into overlayfs ones (`.wh.x` → 0/0 character device `x`, `.wh..wh..opq` →
 * `trusted.overlay.opaque=y` on the directory). Every write stays inside the
 * root: see `LayerTree` and `entryPath`.
 */
export class LayerWriter {
  private readonly tree: LayerTree;
  private readonly dirTimes = new Map<string, [Timespec, Timespec]>();
  readonly warnings: string[] = [];

  constructor(root: string) {
    this.tree = new LayerTree(root);
  }

  async write({ header, body }: TarEntry): Promise<void> {
    const rel = entryPath(header.name, 'entry');
    if (header.type === 'other') {
      throw errorOf('invalid-argument', `layer entry ${JSON.stringify(header.name)}: unsupported tar type flag ${JSON.stringify(header.typeflag)}`);
    }
    const base = posix.basename(rel);
    if (rel.split('/')[0]!.startsWith(WHITEOUT_META) && base !== OPAQUE) return; // AUFS metadata
    if (base === OPAQUE) return this.opaque(rel, header);
    if (base.startsWith(WHITEOUT_META)) return;
    if (base.startsWith(WHITEOUT)) return this.whiteout(rel, header);
    if (rel === '') {
      if (header.type !== 'directory') throw refusal('entry', header.name, 'names the root but is not a directory');
      return this.finishEntry('', header, false);
    }
    await this.tree.ensureParents(rel, 'entry', header.name);
    const abs = this.tree.abs(rel);
    const existing = await lstatOrUndefined(abs);
    if (existing && !(existing.isDirectory() && header.type === 'directory')) await this.remove(rel);
    if (header.type === 'link') return this.hardlink(rel, header);
    await create(abs, header, body, existing?.isDirectory() === true);
    if (header.type === 'directory') this.tree.addDir(rel);
    await this.finishEntry(rel, header, header.type === 'symlink');
  }

  /** Sets directory times last, since writing into a directory changes them. */
  finish(): void {
    for (const [rel, [atime, mtime]] of this.dirTimes) lutimes(this.tree.abs(rel), atime, mtime);
  }

  private async finishEntry(rel: string, header: TarHeader, isSymlink: boolean): Promise<void> {
    const abs = this.tree.abs(rel);
    // chown clears setuid/setgid and file capabilities: mode and xattrs after it.
    lchown(abs, header.uid, header.gid);
    if (!isSymlink) await chmod(abs, header.mode);
    for (const [name, value] of header.xattrs) this.setXattr(abs, header.name, name, value);
    const times: [Timespec, Timespec] = [header.atime ?? header.mtime, header.mtime];
    if (header.type === 'directory') this.dirTimes.set(rel, times);
    else lutimes(abs, ...times);
  }

  private setXattr(abs: string, entry: string, name: string, value: Buffer): void {
    // Overlay's own attributes would let a layer forge opaque dirs or redirects.
    if (name.startsWith('trusted.overlay.')) throw refusal('entry', entry, `sets the reserved xattr ${name}`);
    try {
      lsetxattr(abs, name, value);
    } catch (err) {
      // As Docker: EPERM (e.g. user.* on a symlink, or a restricted user namespace) is a warning.
      if (!(err instanceof SyscallError && err.code === 'EPERM')) throw err;
      this.warnings.push(`${entry}: xattr ${name} not set: EPERM`);
    }
  }

  private async hardlink(rel: string, header: TarHeader): Promise<void> {
    const what = `hardlink ${JSON.stringify(header.name)} target`;
    const targetRel = entryPath(header.linkname, what);
    if (targetRel === '') throw refusal(what, header.linkname, 'is the layer root');
    await this.tree.ensureParents(targetRel, what, header.linkname, false);
    const target = await lstatOrUndefined(this.tree.abs(targetRel));
    if (!target) throw refusal('hardlink', header.name, `target ${header.linkname} does not exist in the layer`);
    if (target.isDirectory()) throw refusal('hardlink', header.name, `target ${header.linkname} is a directory`);
    // link(2) does not follow a symlink target: it links the symlink itself.
    await link(this.tree.abs(targetRel), this.tree.abs(rel));
  }

  private async whiteout(rel: string, header: TarHeader): Promise<void> {
    const name = posix.basename(rel).slice(WHITEOUT.length);
    if (name === '' || name === '.' || name === '..') throw refusal('whiteout', header.name, 'names no file');
    const hidden = posix.join(posix.dirname(rel), name);
    await this.tree.ensureParents(hidden, 'whiteout', header.name);
    if (await lstatOrUndefined(this.tree.abs(hidden))) await this.remove(hidden);
    const abs = this.tree.abs(hidden);
    mknod(abs, S_IFCHR, 0n);
    lchown(abs, header.uid, header.gid);
  }

  private async opaque(rel: string, header: TarHeader): Promise<void> {
    await this.tree.ensureParents(rel, 'opaque whiteout', header.name);
    lsetxattr(this.tree.abs(posix.dirname(rel) === '.' ? '' : posix.dirname(rel)), 'trusted.overlay.opaque', 'y');
  }

  private async remove(rel: string): Promise<void> {
    await rm(this.tree.abs(rel), { recursive: true, force: true });
    this.tree.forget(rel);
    for (const d of this.dirTimes.keys()) if (d === rel || d.startsWith(`${rel}/`)) this.dirTimes.delete(d);
  }
}

async function create(abs: string, header: TarHeader, body: AsyncIterable<Buffer>, dirExists: boolean): Promise<void> {
  switch (header.type) {
    case 'directory':
      if (!dirExists) await mkdir(abs, 0o700);
      return;
    case 'file': {
      const fh = await open(abs, CREATE_FLAGS, 0o600);
      try {
        for await (const chunk of body) await fh.write(chunk);
      } finally {
        await fh.close();
      }
      return;
    }
    case 'symlink':
      if (header.linkname === '') throw refusal('symlink', header.name, 'has an empty target');
      return symlink(header.linkname, abs);
    case 'char':
      return mknod(abs, S_IFCHR | header.mode, makedev(header.devmajor, header.devminor));
    case 'block':
      return mknod(abs, S_IFBLK | header.mode, makedev(header.devmajor, header.devminor));
    case 'fifo':
      return mknod(abs, S_IFIFO | header.mode);
    default:
      throw errorOf('internal', `layer entry ${JSON.stringify(header.name)}: no writer for ${header.type}`);
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
