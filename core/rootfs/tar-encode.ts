import { errorOf } from '../../lib/errdefs/index.js';

/** What an archive of a filesystem tree records for one entry. */
export interface OutHeader {
  /** Name in the archive; a directory's gets its trailing `/` here. */
  name: string;
  type: 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';
  /** Permission bits with setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Data bytes that follow (regular files only). */
  size: number;
  /** Seconds since the epoch (Docker truncates modification times to seconds). */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes, as PAX `SCHILY.xattr.<name>` records. */
  xattrs?: [string, Buffer][];
}

export const BLOCK = 512;
/** Two zero blocks: the end-of-archive marker. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

const typeflags: Record<OutHeader['type'], string> = {
  file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6',
};
const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/**
 * The header block(s) of one entry: a ustar block, preceded by a PAX extended
 * header when a name, link target, id or size does not fit ustar, or when
 * the entry carries xattrs, as Go's `archive/tar` in PAX mode (what Docker
 * writes) does. The result holds whole blocks.
 */
export function encodeHeader(h: OutHeader): Buffer {
  const pax: [string, Buffer][] = [];
  const linkname = h.linkname ?? '';
  let split = splitUstar(h.name);
  if (!split) {
    pax.push(['path', Buffer.from(h.name)]);
    split = ['', truncateBytes(h.name, 100)];
  }
  let link = linkname;
  if (Buffer.byteLength(linkname) > 100) {
    pax.push(['linkpath', Buffer.from(linkname)]);
    link = truncateBytes(linkname, 100);
  }
  if (h.uid > MAX_OCTAL_8) pax.push(['uid', Buffer.from(String(h.uid))]);
  if (h.gid > MAX_OCTAL_8) pax.push(['gid', Buffer.from(String(h.gid))]);
  if (h.size > MAX_OCTAL_12) pax.push(['size', Buffer.from(String(h.size))]);
  for (const [name, value] of h.xattrs ?? []) pax.push([`SCHILY.xattr.${name}`, value]);

  const main = block({
    prefix: split[0], name: split[1], mode: h.mode, uid: Math.min(h.uid, MAX_OCTAL_8), gid: Math.min(h.gid, MAX_OCTAL_8),
    size: Math.min(h.size, MAX_OCTAL_12), mtime: Math.max(0, Math.min(h.mtime, MAX_OCTAL_12)), typeflag: typeflags[h.type],
    linkname: link, devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0,
  });
  if (pax.length === 0) return main;
  const records = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)));
  const paxName = paxHeaderName(h.name);
  const paxBlock = block({
    prefix: '', name: paxName, mode: 0o644, uid: 0, gid: 0, size: records.length, mtime: 0, typeflag: 'x',
    linkname: '', devmajor: 0, devminor: 0,
  });
  return Buffer.concat([paxBlock, records, Buffer.alloc(padding(records.length)), main]);
}

interface RawFields {
  prefix: string; name: string; mode: number; uid: number; gid: number; size: number; mtime: number;
  typeflag: string; linkname: string; devmajor: number; devminor: number;
}

function block(f: RawFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(f.name, 0, 100, 'utf8');
  octal(b, 100, 8, f.mode & 0o7777);
  octal(b, 108, 8, f.uid);
  octal(b, 116, 8, f.gid);
  octal(b, 124, 12, f.size);
  octal(b, 136, 12, f.mtime);
  b.write(f.typeflag, 156, 1, 'latin1');
  b.write(f.linkname, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'latin1');
  if (f.typeflag === '3' || f.typeflag === '4') {
    octal(b, 329, 8, f.devmajor);
    octal(b, 337, 8, f.devminor);
  }
  b.write(f.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return b;
}

function octal(b: Buffer, offset: number, length: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw errorOf('internal', `tar: ${value} does not fit a header field`);
  b.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}

/** `[prefix, name]` for ustar, or undefined when the name needs a PAX record. */
function splitUstar(name: string): [string, string] | undefined {
  const len = Buffer.byteLength(name);
  if (len <= 100) return ['', name];
  if (len > 256) return undefined;
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base !== '') return [prefix, base];
  }
  return undefined;
}

function truncateBytes(s: string, max: number): string {
  const buf = Buffer.from(s);
  if (buf.length <= max) return s;
  // Cut on a character boundary: readers use the PAX record anyway.
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** `<len> <key>=<value>\n`, where len counts the whole record, its own digits included. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key) + value.length + 3; // ' ', '=', '\n'
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`), value, Buffer.from('\n')]);
}

/** Go's `dir/PaxHeaders.0/base` naming, cut to fit the name field. */
function paxHeaderName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const dir = slash < 0 ? '' : trimmed.slice(0, slash + 1);
  const base = trimmed.slice(slash + 1);
  return truncateBytes(`${dir}PaxHeaders.0/${base}`, 100);
}
