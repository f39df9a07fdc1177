import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { errorOf } from '../../lib/errdefs/index.js';
import { lgetxattr, llistxattr, SyscallError } from '../sys/index.js';
import { compareNames, openDirIn, O_DIR_NOFOLLOW, procFd } from './resolve.js';
import { encodeHeader, END_OF_ARCHIVE, padding, type OutHeader } from './tar-encode.js';

export interface TreeTarOptions {
  /**
   * `overlay`: the tree is an overlay upper directory made into an image
   * layer: 0/0 character devices become `.wh.<name>` entries and directories
   * marked `trusted.overlay.opaque=y` are followed by `.wh..wh..opq`.
   */
  whiteouts?: 'overlay';
}

/** Where the walk starts. */
export interface TreeTop {
  /** The container root: nothing outside it is ever opened. */
  root: string;
  /** Host path of the top object; its final component is not followed. */
  path: string;
  /**
   * The top's name in the archive: its entries are `<name>` and
   * `<name>/<child>…`. Empty: the top (a directory) has no entry of its own
   * and its children are named from the top (`etc/`, `bin/sh`…), as
   * `docker export` and layer tars have them.
   */
  name: string;
}

const OPAQUE_XATTR = 'trusted.overlay.opaque';
const FLUSH_AT = 256 * 1024;
const READ_CHUNK = 1024 * 1024;
const FILE_OPEN = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const SMALL_FILE = 256 * 1024;
/** Entries of a directory prepared (stat, small file contents) ahead of their turn, for the thread pool to overlap. */
const LOOKAHEAD = 16;

interface Frame {
  fh: FileHandle;
  dir: string;
  prefix: string;
  names: string[];
  next: number;
  ahead: Map<number, Promise<Prepared>>;
}

/** The I/O for one entry done ahead: what lstat saw and, for a small file, its bytes. */
interface Prepared {
  st: Stats | null;
  /** A small regular file's bytes; null when it vanished or was replaced before it could be read. */
  data?: Buffer | null;
}

/**
 * A tar stream of a filesystem tree, as Docker's `pkg/archive` writes it:
 * names sorted byte-wise in each directory; owners, permission and special
 * bits, modification times (seconds), symlinks as symlinks, devices, FIFOs
 * and xattrs kept; hard links within the tree written as link entries to the
 * first name seen; sockets skipped. Nothing is followed: every directory is
 * opened without following symlinks and its entries reached through its
 * descriptor, so a container swapping a directory for a symlink mid-walk
 * cannot lead the walk out of its root, and a file is only read when the
 * opened descriptor is the regular file lstat saw (never a device or FIFO
 * swapped in). A file that shrinks while read is padded with zeros to the
 * size its header announced; one that vanishes is left out.
 */
export async function* tarTree(top: TreeTop, opts: TreeTarOptions = {}): AsyncGenerator<Buffer> {
  const out = new Batch();
  const seen = new Map<string, string>();
  const stack: Frame[] = [];
  try {
    const topStat = await lstat(top.path);
    if (topStat.isDirectory()) {
      const fh = await openDirIn(top.root, top.path);
      const st = await fh.stat();
      if (top.name !== '') addAll(out, await headersFor(`${procFd(fh.fd)}/.`, top.name, st, opts, seen, true));
      stack.push(await frame(fh, top.name === '' ? '' : `${top.name}/`));
    } else {
      const slash = top.path.lastIndexOf('/');
      const parent = await openDirIn(top.root, slash <= 0 ? '/' : top.path.slice(0, slash));
      try {
        const name = top.path.slice(slash + 1);
        const prepared = await prepare(procFd(parent.fd), name);
        yield* entry(out, procFd(parent.fd), name, top.name, prepared, opts, seen, stack);
      } finally {
        await parent.close();
      }
    }
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.next >= f.names.length) {
        stack.pop();
        await f.fh.close();
        continue;
      }
      const index = f.next++;
      for (let j = index; j < Math.min(index + LOOKAHEAD, f.names.length); j++) {
        if (!f.ahead.has(j)) {
          const p = prepare(f.dir, f.names[j]!);
          p.catch(() => undefined); // awaited in its turn
          f.ahead.set(j, p);
        }
      }
      const prepared = await f.ahead.get(index)!;
      f.ahead.delete(index);
      const name = f.names[index]!;
      yield* entry(out, f.dir, name, f.prefix + name, prepared, opts, seen, stack);
      if (out.bytes >= FLUSH_AT) yield out.take();
    }
    out.add(END_OF_ARCHIVE);
    yield out.take();
  } finally {
    for (const f of stack) {
      await Promise.allSettled(f.ahead.values());
      await f.fh.close().catch(() => undefined);
    }
  }
}

async function frame(fh: FileHandle, prefix: string): Promise<Frame> {
  const dir = procFd(fh.fd);
  const names = (await readdir(dir)).sort(compareNames);
  return { fh, dir, prefix, names, next: 0, ahead: new Map() };
}

async function prepare(dir: string, name: string): Promise<Prepared> {
  const path = `${dir}/${name}`;
  let st: Stats;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { st: null };
    throw err;
  }
  if (!st.isFile() || st.size > SMALL_FILE) return { st };
  const fh = await openFile(path, st);
  if (!fh) return { st, data: null };
  try {
    const data = Buffer.allocUnsafe(st.size);
    let have = 0;
    while (have < st.size) {
      const { bytesRead } = await fh.read(data, have, st.size - have, null);
      if (bytesRead === 0) break;
      have += bytesRead;
    }
    if (have < st.size) data.fill(0, have); // shrank while read
    return { st, data };
  } finally {
    await fh.close();
  }
}

/** Opens the regular file lstat saw, or null when it is gone or was replaced by something else. */
async function openFile(path: string, st: Stats): Promise<FileHandle | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, FILE_OPEN);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return null;
    throw err;
  }
  try {
    const now = await fh.stat();
    if (now.isFile() && now.ino === st.ino && now.dev === st.dev) return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
  await fh.close();
  return null;
}

/** One entry (and for a directory, a new frame on the stack). */
async function* entry(
  out: Batch, parentDir: string, name: string, tarName: string, prepared: Prepared, opts: TreeTarOptions,
  seen: Map<string, string>, stack: Frame[],
): AsyncGenerator<Buffer> {
  const path = `${parentDir}/${name}`;
  const { st } = prepared;
  if (st === null) return; // removed while we walked
  if (st.isDirectory()) {
    let fh: FileHandle;
    try {
      fh = await open(path, O_DIR_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return; // replaced while we walked
      throw err;
    }
    try {
      const now = await fh.stat();
      if (now.ino !== st.ino || now.dev !== st.dev) {
        await fh.close();
        return;
      }
      addAll(out, await headersFor(path, tarName, st, opts, seen, false));
      stack.push(await frame(fh, `${tarName}/`));
    } catch (err) {
      await fh.close();
      throw err;
    }
    return;
  }
  if (prepared.data === null) return; // replaced or gone before it was read
  const headers = await headersFor(path, tarName, st, opts, seen, false);
  if (!st.isFile() || headers.length === 0 || headers[0]!.type !== 'file') {
    addAll(out, headers);
    return;
  }
  if (prepared.data !== undefined) {
    out.add(encodeHeader(headers[0]!));
    if (st.size > 0) out.add(prepared.data);
    const pad = padding(st.size);
    if (pad > 0) out.add(Buffer.alloc(pad));
    return;
  }
  const fh = await openFile(path, st);
  if (!fh) {
    forget(seen, tarName);
    return;
  }
  try {
    out.add(encodeHeader(headers[0]!));
    let remaining = st.size;
    while (remaining > 0) {
      const want = Math.min(remaining, READ_CHUNK);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) {
        out.add(Buffer.alloc(remaining)); // shrank while read
        remaining = 0;
        break;
      }
      remaining -= bytesRead;
      out.add(bytesRead === want ? buf : buf.subarray(0, bytesRead));
      if (out.bytes >= FLUSH_AT) yield out.take();
    }
    const pad = padding(st.size);
    if (pad > 0) out.add(Buffer.alloc(pad));
  } finally {
    await fh.close();
  }
}

function forget(seen: Map<string, string>, tarName: string): void {
  for (const [k, v] of seen) if (v === tarName) seen.delete(k);
}

/** The headers an object gives: none (a socket), one, or two (an opaque directory in a layer). */
async function headersFor(
  path: string, tarName: string, st: Stats, opts: TreeTarOptions, seen: Map<string, string>, isTop: boolean,
): Promise<OutHeader[]> {
  const base = { uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
  const mode = st.mode & 0o7777;
  if (st.isSocket()) return [];
  if (opts.whiteouts === 'overlay' && st.isCharacterDevice() && st.rdev === 0) {
    const slash = tarName.lastIndexOf('/');
    const name = `${tarName.slice(0, slash + 1)}.wh.${tarName.slice(slash + 1)}`;
    return [{ ...base, name, type: 'file', mode: mode & 0o777, size: 0, mtime: 0 }];
  }
  const xattrs = readXattrs(path, opts);
  if (st.isDirectory()) {
    const dir: OutHeader = { ...base, name: `${tarName}/`, type: 'directory', mode, size: 0, xattrs };
    if (opts.whiteouts === 'overlay' && !isTop && isOpaque(path)) {
      return [dir, { ...base, name: `${tarName}/.wh..wh..opq`, type: 'file', mode: mode & 0o777, size: 0, mtime: 0 }];
    }
    return [dir];
  }
  if (st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = seen.get(key);
    if (first !== undefined) return [{ ...base, name: tarName, type: 'link', mode, size: 0, linkname: first, xattrs }];
    seen.set(key, tarName);
  }
  if (st.isFile()) return [{ ...base, name: tarName, type: 'file', mode, size: st.size, xattrs }];
  if (st.isSymbolicLink()) return [{ ...base, name: tarName, type: 'symlink', mode, size: 0, linkname: await readlink(path), xattrs }];
  if (st.isFIFO()) return [{ ...base, name: tarName, type: 'fifo', mode, size: 0, xattrs }];
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return [{
      ...base, name: tarName, type: st.isCharacterDevice() ? 'char' : 'block', mode, size: 0, xattrs,
      devmajor: major(st.rdev), devminor: minor(st.rdev),
    }];
  }
  throw errorOf('internal', `archive ${tarName}: unknown file type ${st.mode.toString(8)}`);
}

/** glibc's major()/minor() for a dev_t held in a number. */
export function major(dev: number): number {
  const big = BigInt(dev);
  return Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
}
export function minor(dev: number): number {
  const big = BigInt(dev);
  return Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
}

/**
 * Xattrs to keep: all but overlayfs's own (`trusted.overlay.*`, internal
 * to a layer's upper directory) and SELinux labels (host-specific).
 */
function readXattrs(path: string, opts: TreeTarOptions): [string, Buffer][] | undefined {
  let names: string[];
  try {
    names = llistxattr(path);
  } catch (err) {
    if (err instanceof SyscallError && (err.code === 'ENOTSUP' || err.code === 'EOPNOTSUPP' || err.code === 'ENOENT')) return undefined;
    throw err;
  }
  if (names.length === 0) return undefined;
  const kept: [string, Buffer][] = [];
  for (const name of names.sort(compareNames)) {
    if (name.startsWith('trusted.overlay.') || name === 'security.selinux') continue;
    if (opts.whiteouts === 'overlay' && name.startsWith('user.overlay.')) continue;
    const value = lgetxattr(path, name);
    if (value !== undefined) kept.push([name, value]);
  }
  return kept.length > 0 ? kept : undefined;
}

function isOpaque(path: string): boolean {
  try {
    return lgetxattr(path, OPAQUE_XATTR)?.toString() === 'y';
  } catch (err) {
    if (err instanceof SyscallError && (err.code === 'ENOTSUP' || err.code === 'EOPNOTSUPP')) return false;
    throw err;
  }
}

function addAll(out: Batch, headers: OutHeader[]): void {
  for (const h of headers) out.add(encodeHeader(h));
}

/** Small pieces gathered into larger chunks, so a stream of tiny files costs few reads downstream. */
class Batch {
  private parts: Buffer[] = [];
  bytes = 0;

  add(buf: Buffer): void {
    this.parts.push(buf);
    this.bytes += buf.length;
  }

  take(): Buffer {
    const chunk = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    return chunk;
  }
}
