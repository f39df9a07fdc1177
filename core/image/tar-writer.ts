import type { Writable } from 'node:stream';
import { errorOf } from '../../lib/errdefs/index.js';

export interface TarEntryOptions {
  mode?: number;
  /** Seconds since the epoch; 0 (the default) keeps archives reproducible. */
  mtime?: number;
}

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

/**
 * A minimal ustar writer for archives the engine produces (image archives):
 * regular files, directories and symlinks owned by root, with fixed modes and
 * times so the same input always gives the same bytes. Writes respect the
 * destination's backpressure; a destination that fails or closes fails the
 * write.
 */
export class TarWriter {
  constructor(private readonly out: Writable) {}

  async directory(name: string, opts: TarEntryOptions = {}): Promise<void> {
    await this.write(header(name.endsWith('/') ? name : `${name}/`, '5', 0, '', opts.mode ?? 0o755, opts.mtime ?? 0));
  }

  async symlink(name: string, target: string, opts: TarEntryOptions = {}): Promise<void> {
    await this.write(header(name, '2', 0, target, opts.mode ?? 0o777, opts.mtime ?? 0));
  }

  async file(name: string, data: Uint8Array, opts: TarEntryOptions = {}): Promise<void> {
    await this.write(header(name, '0', data.length, '', opts.mode ?? 0o644, opts.mtime ?? 0));
    if (data.length > 0) await this.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    await this.pad(data.length);
  }

  /**
   * A regular file whose bytes come from `stream`, which must yield exactly
   * `size` bytes (a tar header states the size first): more or fewer is
   * `data-loss`, and the archive written so far is unusable.
   */
  async fileFrom(name: string, size: number, stream: AsyncIterable<Uint8Array>, opts: TarEntryOptions = {}): Promise<void> {
    await this.write(header(name, '0', size, '', opts.mode ?? 0o644, opts.mtime ?? 0));
    let written = 0;
    for await (const chunk of stream) {
      written += chunk.length;
      if (written > size) throw errorOf('data-loss', `tar entry ${name}: the source gave more than the ${size} bytes promised`);
      await this.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    if (written !== size) throw errorOf('data-loss', `tar entry ${name}: the source gave ${written} bytes, not the ${size} promised`);
    await this.pad(size);
  }

  /** Writes the end-of-archive marker (two zero blocks). The destination is left open. */
  async finish(): Promise<void> {
    await this.write(Buffer.alloc(2 * BLOCK));
  }

  private async pad(size: number): Promise<void> {
    const rest = (BLOCK - (size % BLOCK)) % BLOCK;
    if (rest > 0) await this.write(Buffer.alloc(rest));
  }

  private write(chunk: Buffer): Promise<void> {
    const out = this.out;
    if (out.destroyed || out.writableEnded) return Promise.reject(errorOf('cancelled', 'tar: the destination is closed'));
    if (out.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        out.off('drain', onDrain).off('error', onError).off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onError = (err: Error) => done(err);
      const onClose = () => done(errorOf('cancelled', 'tar: the destination closed'));
      out.on('drain', onDrain).on('error', onError).on('close', onClose);
    });
  }
}

function header(name: string, type: string, size: number, linkname: string, mode: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const [prefix, base] = splitName(name);
  block.write(base, 0, 100, 'utf8');
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  if (size > MAX_OCTAL_SIZE) binary(block, 124, 12, size);
  else octal(block, 124, 12, size);
  octal(block, 136, 12, mtime);
  block.write(type, 156, 1, 'latin1');
  if (Buffer.byteLength(linkname) > 100) throw errorOf('invalid-argument', `tar: link target ${JSON.stringify(linkname)} is too long`);
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.write(prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return block;
}

/** ustar keeps names over 100 bytes as prefix + "/" + name. */
function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base !== '') return [prefix, base];
  }
  throw errorOf('invalid-argument', `tar: name ${JSON.stringify(name)} is too long`);
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}

/** GNU base-256 for sizes past what 11 octal digits hold (8 GiB). */
function binary(block: Buffer, offset: number, length: number, value: number): void {
  let v = value;
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = v % 256;
    v = Math.floor(v / 256);
  }
  block[offset] = 0x80;
}
