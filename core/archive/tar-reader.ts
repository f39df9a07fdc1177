import { errorOf } from '../../lib/errdefs/index.js';
import { ByteReader } from './byte-reader.js';
import { applyPax, parsePaxRecords } from './pax.js';
import { decodeString, isZeroBlock, parseHeaderBlock, type TarHeader } from './tar-header.js';

export interface TarEntry {
  header: TarHeader;
  /** The entry's data; whatever the consumer leaves unread is skipped. */
  body: AsyncIterable<Buffer>;
}

export interface TarSummary {
  /** Bytes read, trailing padding after the end-of-archive marker included. */
  bytes: number;
}

/** Limit for PAX and GNU long-name headers, which are held in memory. */
const MAX_META_SIZE = 1024 * 1024;

const headerOnly = new Set(['link', 'symlink', 'char', 'block', 'directory', 'fifo']);

const padding = (size: number) => (512 - (size % 512)) % 512;

/**
 * Reads a tar stream entry by entry: ustar, GNU (long names and links) and
 * PAX (per-entry records; global records are read and ignored, as Docker
 * does). The stream must end with the end-of-archive marker (a zero block):
 * a stream cut anywhere else, even between entries, is refused. After the
 * marker the rest of the stream is read to its end, so a digest taken over it
 * covers every byte.
 */
export async function* readTar(source: AsyncIterable<Uint8Array>, summary?: TarSummary): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let pax: Map<string, Buffer> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await reader.read(512);
    if (block.length < 512) throw truncated(block.length === 0 ? 'no end-of-archive marker' : 'partial header block');
    if (isZeroBlock(block)) break;
    const header = parseHeaderBlock(block);
    if ('xgLK'.includes(header.typeflag)) {
      if (header.size > MAX_META_SIZE) throw errorOf('invalid-argument', `tar: ${header.typeflag} header of ${header.size} bytes is too large`);
      const data = await readAll(reader, header.size + padding(header.size), `${header.typeflag} header`);
      const body = data.subarray(0, header.size);
      if (header.typeflag === 'x') pax = parsePaxRecords(body);
      else if (header.typeflag === 'L') longName = decodeString(body, 'GNU long name');
      else if (header.typeflag === 'K') longLink = decodeString(body, 'GNU long link name');
      else parsePaxRecords(body); // global: checked for form, then ignored
      continue;
    }
    if (longName !== undefined) header.name = longName;
    if (longLink !== undefined) header.linkname = longLink;
    if (pax) applyPax(header, pax);
    pax = longName = longLink = undefined;
    // As Go's archive/tar (and so Docker): these types never carry data,
    // whatever their size field says.
    const size = headerOnly.has(header.type) ? 0 : header.size;
    const onShort = () => truncated(`in the data of ${header.name}`);
    let remaining = size;
    const body = {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of reader.stream(remaining, onShort)) {
          remaining -= chunk.length;
          yield chunk;
        }
      },
    };
    yield { header, body };
    await reader.skip(remaining + padding(size), onShort);
  }
  await reader.drain();
  if (summary) summary.bytes = reader.offset;
}

async function readAll(reader: ByteReader, n: number, what: string): Promise<Buffer> {
  const buf = await reader.read(n);
  if (buf.length < n) throw truncated(`in a ${what}`);
  return buf;
}

function truncated(where: string) {
  return errorOf('invalid-argument', `tar: truncated stream: ${where}`);
}
