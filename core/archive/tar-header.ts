import { errorOf } from '../../lib/errdefs/index.js';
import type { Timespec } from '../sys/index.js';

export type TarEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo' | 'other';

/** One tar entry's metadata, with PAX and GNU long-name extensions applied. */
export interface TarHeader {
  name: string;
  type: TarEntryType;
  /** The raw type flag, for messages about entries of type `other`. */
  typeflag: string;
  /** Permission bits, setuid/setgid/sticky included. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Timespec;
  atime?: Timespec;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** From PAX `SCHILY.xattr.*` (and `LIBARCHIVE.xattr.*`), values kept as bytes. */
  xattrs: Map<string, Buffer>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const typeByFlag: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'link', '2': 'symlink',
  '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo',
};

/** Decodes a NUL-terminated field; names that are not UTF-8 are refused, not mangled. */
export function decodeString(buf: Buffer, what: string): string {
  const end = buf.indexOf(0);
  try {
    return utf8.decode(end < 0 ? buf : buf.subarray(0, end));
  } catch {
    throw errorOf('invalid-argument', `tar: ${what} is not valid UTF-8`);
  }
}

/** Octal (NUL/space padded) or GNU base-256 numeric field. */
export function decodeNumber(buf: Buffer, what: string): number {
  if (buf[0]! & 0x80) {
    if (buf[0] === 0xff) throw errorOf('invalid-argument', `tar: negative ${what}`);
    let n = buf[0]! & 0x7f;
    for (let i = 1; i < buf.length; i++) n = n * 256 + buf[i]!;
    if (!Number.isSafeInteger(n)) throw errorOf('invalid-argument', `tar: ${what} too large`);
    return n;
  }
  const text = buf.toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw errorOf('invalid-argument', `tar: ${what} ${JSON.stringify(text)} is not a number`);
  return parseInt(text, 8);
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumOk(block: Buffer): boolean {
  const stored = decodeNumber(block.subarray(148, 156), 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** Parses a 512-byte header block (ustar, GNU or v7). */
export function parseHeaderBlock(block: Buffer): TarHeader {
  if (!checksumOk(block)) throw errorOf('invalid-argument', 'tar: header checksum mismatch (not a tar stream, or corrupt)');
  const magic = block.toString('latin1', 257, 263);
  let name = decodeString(block.subarray(0, 100), 'name');
  if (magic === 'ustar\0') {
    const prefix = decodeString(block.subarray(345, 500), 'name prefix');
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const typeflag = String.fromCharCode(block[156]!);
  let type = typeByFlag[typeflag] ?? 'other';
  if ((typeflag === '\0' || typeflag === '0') && name.endsWith('/')) type = 'directory';
  return {
    name,
    type,
    typeflag,
    mode: decodeNumber(block.subarray(100, 108), 'mode') & 0o7777,
    uid: decodeNumber(block.subarray(108, 116), 'uid'),
    gid: decodeNumber(block.subarray(116, 124), 'gid'),
    size: decodeNumber(block.subarray(124, 136), 'size'),
    mtime: { sec: decodeNumber(block.subarray(136, 148), 'mtime'), nsec: 0 },
    linkname: decodeString(block.subarray(157, 257), 'link name'),
    devmajor: decodeNumber(block.subarray(329, 337), 'device major'),
    devminor: decodeNumber(block.subarray(337, 345), 'device minor'),
    xattrs: new Map(),
  };
}
