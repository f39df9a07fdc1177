import { errorOf } from '../../lib/errdefs/index.js';
import type { Timespec } from '../sys/index.js';
import type { TarHeader } from './tar-header.js';
import { decodeString } from './tar-header.js';

/**
 * Parses PAX extended header records (`<len> <key>=<value>\n`). Values stay
 * bytes: xattr values such as `security.capability` are binary.
 */
export function parsePaxRecords(buf: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let at = 0;
  while (at < buf.length) {
    if (buf[at] === 0) break; // padding some writers leave after the last record
    const space = buf.indexOf(0x20, at);
    const lenText = space < 0 ? '' : buf.toString('latin1', at, space);
    const len = /^[0-9]+$/.test(lenText) ? parseInt(lenText, 10) : NaN;
    if (!(len > 0) || at + len > buf.length || buf[at + len - 1] !== 0x0a) {
      throw errorOf('invalid-argument', `tar: malformed PAX record at byte ${at}`);
    }
    const record = buf.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw errorOf('invalid-argument', `tar: malformed PAX record at byte ${at}`);
    records.set(decodeString(record.subarray(0, eq), 'PAX key'), record.subarray(eq + 1));
    at += len;
  }
  return records;
}

function paxTime(value: string, key: string): Timespec {
  const m = /^(-?[0-9]+)(?:\.([0-9]+))?$/.exec(value);
  if (!m) throw errorOf('invalid-argument', `tar: PAX ${key} ${JSON.stringify(value)} is not a time`);
  const sec = parseInt(m[1]!, 10);
  const nsec = m[2] ? parseInt(m[2].slice(0, 9).padEnd(9, '0'), 10) : 0;
  // "-1.5" means 1.5 s before the epoch: whole seconds down, nanoseconds up.
  return sec < 0 && nsec > 0 ? { sec: sec - 1, nsec: 1e9 - nsec } : { sec, nsec };
}

function paxInt(value: string, key: string): number {
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw errorOf('invalid-argument', `tar: PAX ${key} ${JSON.stringify(value)} is not a number`);
  }
  return Number(value);
}

/** Overrides header fields with the PAX records that precede the entry. */
export function applyPax(header: TarHeader, records: Map<string, Buffer>): void {
  for (const [key, raw] of records) {
    if (key.startsWith('SCHILY.xattr.')) {
      header.xattrs.set(key.slice('SCHILY.xattr.'.length), raw);
      continue;
    }
    if (key.startsWith('LIBARCHIVE.xattr.')) {
      header.xattrs.set(decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length)), Buffer.from(raw.toString('latin1'), 'base64'));
      continue;
    }
    if (key.startsWith('GNU.sparse.')) throw errorOf('not-implemented', `tar: ${header.name}: sparse files are not supported`);
    const value = decodeString(raw, `PAX ${key}`);
    switch (key) {
      case 'path': header.name = value; break;
      case 'linkpath': header.linkname = value; break;
      case 'size': header.size = paxInt(value, key); break;
      case 'uid': header.uid = paxInt(value, key); break;
      case 'gid': header.gid = paxInt(value, key); break;
      case 'mtime': header.mtime = paxTime(value, key); break;
      case 'atime': header.atime = paxTime(value, key); break;
      default: break; // uname, gname, ctime, comment…: not needed to unpack
    }
  }
}
