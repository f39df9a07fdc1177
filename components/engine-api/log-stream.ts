/**
 * The body of `GET /containers/{id}/logs` (moby `httputils.WriteLogStream`):
 *
 * - 200 at once (so a follow with nothing to show yet still answers), chunked;
 *   Content-Type `application/vnd.docker.multiplexed-stream` from API 1.42 without a TTY,
 *   `application/vnd.docker.raw-stream` otherwise (current moby; 20.10 sent none).
 * - Without a TTY each entry is a stdcopy frame (stream 1 or 2); with one, its raw bytes.
 * - `timestamps`: the payload starts with the time in RFC3339NanoFixed (nine digits) and a
 *   space; `details`: then the attributes `k=v,k2=v2` (query-escaped) and a space.
 * - Only the chosen streams are written.
 * - An error after the head is written in band: `Error grabbing logs: <err>\n` as a stream-3
 *   (systemerr) frame, or raw with a TTY, then the body ends.
 *
 * Many entries go out in one write (coalesced up to 256 KiB), with backpressure; a source that
 * has `batches()` (core/logs `readLogs`, the container engine's `logs`) is read a batch at a
 * time and each entry is copied straight into the write.
 *
 * `merge` (for a read that does not follow): consecutive entries of one stream share one
 * frame. The bytes each stream carries are the same; the client has one frame to decode per
 * 256 KiB instead of one per line (the docker CLI decodes and writes each frame on its own,
 * which bounds `docker logs` at a few MB/s of short lines). A follow keeps one frame per
 * entry, which streaming clients read as one line at a time.
 */
import type { ServerResponse } from 'node:http';
import { BlockEntry, fixedNanoTime, type LogEntry } from '../../core/logs/json-line.js';
import { streamContentType } from './hijack.js';
import { writeHead } from './respond.js';
import { frameHeaderLength, StdStream, writeFrameHeader, type StdStreamId } from './stdcopy.js';

export interface LogStreamOptions {
  apiVersion: string;
  /** The container has a TTY: raw bytes instead of frames. */
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
  timestamps?: boolean;
  details?: boolean;
  /** Consecutive entries of one stream in one frame (see above). */
  merge?: boolean;
}

/** What the body needs of an entry: core/logs' entries and the container engine's both are. */
export type StreamEntry = Pick<LogEntry, 'stream' | 'time' | 'attrs'> & { readonly line: Uint8Array };

/** A source of entries; with `batches()` it is read a batch at a time. */
export type LogSource = AsyncIterable<StreamEntry> & { batches?(): AsyncIterable<readonly StreamEntry[]> };

/** One write's worth of bytes. */
export const coalesceBytes = 256 * 1024;

/** The logs Content-Type for `apiVersion` (as attach and exec start). */
export function logsContentType(apiVersion: string, tty: boolean): string {
  return streamContentType(apiVersion, tty);
}

/**
 * An AbortSignal that fires when the client goes away before the body ended: hand it to
 * `readLogs` so a follow stops waiting for new lines.
 */
export function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Writes the head, then the entries, then ends the response. Never throws after the head. */
export async function writeLogStream(res: ServerResponse, source: LogSource, options: LogStreamOptions): Promise<void> {
  writeHead(res, 200, { 'Content-Type': logsContentType(options.apiVersion, options.tty) });
  res.flushHeaders();
  const out = new Coalescer(res, !options.tty, options);
  try {
    const batches = source.batches ? source.batches() : batched(source);
    for await (const batch of batches) {
      for (const entry of batch) out.add(entry);
      out.flush();
      if (res.destroyed) return;
      if (res.writableNeedDrain) await drained(res);
      if (res.destroyed) return;
    }
  } catch (err) {
    if (res.destroyed) return;
    const message = `Error grabbing logs: ${err instanceof Error ? err.message : String(err)}\n`;
    out.addRaw(StdStream.systemErr, Buffer.from(message));
    out.flush();
  }
  if (!res.destroyed) res.end();
}

const idle = Symbol('idle');

/**
 * Groups the entries of a plain iterable: everything already available goes in one batch,
 * which ends as soon as the next entry is not ready (so a follow is not held back).
 */
async function* batched(source: AsyncIterable<StreamEntry>): AsyncGenerator<StreamEntry[]> {
  const it = source[Symbol.asyncIterator]();
  let batch: StreamEntry[] = [];
  try {
    let next = it.next();
    for (;;) {
      let r: IteratorResult<StreamEntry> | typeof idle;
      try {
        if (batch.length === 0) r = await next;
        else r = await Promise.race([next, new Promise<typeof idle>((resolve) => setImmediate(resolve, idle))]);
      } catch (err) {
        if (batch.length > 0) yield batch; // what came before the failure still goes out
        batch = [];
        throw err;
      }
      if (r === idle) {
        yield batch;
        batch = [];
        continue;
      }
      if (r.done) break;
      batch.push(r.value);
      if (batch.length >= 4096) {
        yield batch;
        batch = [];
      }
      next = it.next();
    }
    if (batch.length > 0) yield batch;
  } finally {
    await it.return?.();
  }
}

class Coalescer {
  #buf = Buffer.allocUnsafe(coalesceBytes);
  #len = 0;
  /** Where the open frame's header is (merge), or -1. */
  #frameAt = -1;
  #frameStream: StdStreamId = StdStream.stdout;
  constructor(
    private readonly res: ServerResponse,
    private readonly framed: boolean,
    private readonly options: LogStreamOptions,
  ) {}

  add(entry: StreamEntry): void {
    if (entry.stream === 'stdout' ? !this.options.stdout : !this.options.stderr) return;
    const stream = entry.stream === 'stdout' ? StdStream.stdout : StdStream.stderr;
    const prefix = this.#prefix(entry);
    const block = entry instanceof BlockEntry ? entry : undefined;
    const lineLength = block ? block.lineEnd - block.lineStart : entry.line.length;
    const payload = prefix.length + lineLength;
    const size = (this.framed ? frameHeaderLength : 0) + payload;
    if (this.#len + size > this.#buf.length) {
      this.flush();
      if (size > this.#buf.length) {
        // A big entry: its own writes, no copy of the line.
        const head = Buffer.allocUnsafe((this.framed ? frameHeaderLength : 0) + prefix.length);
        const o = this.framed ? writeFrameHeader(head, 0, stream, payload) : 0;
        head.write(prefix, o, 'latin1');
        this.res.write(head);
        this.res.write(entry.line);
        return;
      }
    }
    const buf = this.#buf;
    let o = this.#len;
    if (this.framed && this.options.merge && this.#frameAt >= 0 && this.#frameStream === stream) {
      buf.writeUInt32BE(buf.readUInt32BE(this.#frameAt + 4) + payload, this.#frameAt + 4);
    } else if (this.framed) {
      this.#frameAt = o;
      this.#frameStream = stream;
      o = writeFrameHeader(buf, o, stream, payload);
    }
    if (prefix.length > 0) o += buf.write(prefix, o, 'utf8');
    if (block) o += block.block.copy(buf, o, block.lineStart, block.lineEnd);
    else {
      buf.set(entry.line, o);
      o += entry.line.length;
    }
    this.#len = o;
  }

  /** A payload as is (the in-band error). */
  addRaw(stream: StdStreamId, payload: Buffer): void {
    this.flush();
    if (this.framed) {
      const head = Buffer.allocUnsafe(frameHeaderLength);
      writeFrameHeader(head, 0, stream, payload.length);
      this.res.write(Buffer.concat([head, payload]));
    } else {
      this.res.write(payload);
    }
  }

  flush(): void {
    if (this.#len === 0 || this.res.destroyed) return;
    this.res.write(this.#buf.subarray(0, this.#len));
    this.#buf = Buffer.allocUnsafe(coalesceBytes); // the written one belongs to the socket now
    this.#len = 0;
    this.#frameAt = -1;
  }

  #prefix(entry: StreamEntry): string {
    let prefix = '';
    if (this.options.timestamps) prefix = `${fixedNanoTime(entry.time)} `;
    if (this.options.details) prefix += `${attrsText(entry.attrs)} `;
    return prefix;
  }
}

/** moby's `attrsByteSlice`: `k=v` pairs, query-escaped, joined by commas (sorted here). */
export function attrsText(attrs: Readonly<Record<string, string>> | undefined): string {
  if (!attrs) return '';
  return Object.keys(attrs)
    .sort()
    .map((k) => `${queryEscape(k)}=${queryEscape(attrs[k]!)}`)
    .join(',');
}

/** Go's `url.QueryEscape`. */
function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
