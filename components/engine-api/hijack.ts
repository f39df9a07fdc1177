/**
 * Taking over a connection for `POST /containers/{id}/attach` and `POST /exec/{id}/start`, as
 * dockerd does (moby `postContainersAttach`, `postContainerExecStart`):
 *
 * - With `Upgrade: tcp` the head is written by hand, `HTTP/1.1 101 UPGRADED`, Content-Type,
 *   `Connection: Upgrade`, `Upgrade: tcp`; an exec start also copies the pending response
 *   headers (Api-Version, Docker-Experimental, Ostype, Server), an attach does not. No Date.
 * - Without it (old clients) the head is `HTTP/1.1 200 OK` with `Content-Type:
 *   application/vnd.docker.raw-stream` (plus the copied headers for exec).
 * - Content-Type: `application/vnd.docker.multiplexed-stream` from API 1.42 when there is no
 *   TTY, `application/vnd.docker.raw-stream` otherwise. Framing depends only on the TTY: without
 *   one, stdout and stderr go in stdcopy frames; with one, raw bytes. Stdin is always raw.
 * - The socket is half-open capable: the client's FIN only ends `stdin` (the CLI half-closes at
 *   once when it has no stdin); we keep writing until the session ends, then close.
 * - Bytes the client sent right after the request head (the 'upgrade' event's `head`) are put
 *   back in front of `stdin`.
 * - Errors: before `hijack()` a handler's error is a normal JSON error. After the socket is
 *   taken but before the head is written (`deferHead`), dockerd's raw text:
 *   `HTTP/1.1 404 Not Found\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n<msg>\r\n`,
 *   then close. After the head: an exec writes `<msg>\r\n` into its stdout stream, an attach
 *   just closes (dockerd logs it). `dispatch` calls `failHijack` for errors a handler throws.
 *
 * A route declares `hijack: true`; its handler calls `hijack(ctx, …)`. Requests with an
 * `Upgrade` header reach it through the server's 'upgrade' event; plain requests through
 * 'request', where `plainTakeover` detaches the socket from Node's HTTP parser.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, Writable, type Duplex, type Readable } from 'node:stream';
import { errorOf } from '../../lib/errdefs/errdefs.js';
import { httpStatusOf } from '../../lib/errdefs/http.js';
import { versionLessThan } from './api-version.js';
import { canonicalHeaderName } from './respond.js';
import type { RequestContext, Upgrade } from './router.js';
import { frameHeaderLength, StdStream, writeFrameHeader, type StdStreamId } from './stdcopy.js';

export const rawStreamType = 'application/vnd.docker.raw-stream';
export const multiplexedStreamType = 'application/vnd.docker.multiplexed-stream';

/** The stream media type of attach, exec start and logs for `apiVersion`. */
export function streamContentType(apiVersion: string, tty: boolean): string {
  return tty || versionLessThan(apiVersion, '1.42') ? rawStreamType : multiplexedStreamType;
}

export interface HijackOptions {
  /** `exec` copies the response's pending headers into the head, `attach` does not (as dockerd). */
  kind: 'attach' | 'exec';
  /** The container or exec has a TTY: raw output; otherwise stdout/stderr frames. */
  tty: boolean;
  /** Take the socket now but write the head later (`writeHead()` or the first output). */
  deferHead?: boolean;
}

/** A request's connection, taken over. */
export class HijackedStream {
  /** The raw connection (half-open capable). */
  readonly socket: Duplex;
  /**
   * The client's bytes (raw stdin): ends when the client half-closes, which is not a disconnect
   * (and also when the connection goes). Its own stream, fed from the socket: consuming it
   * (`for await` destroys what it iterates) leaves the connection alone.
   */
  readonly stdin: Readable;
  /** The container's stdout: stream-1 frames without a TTY, raw bytes with one. */
  readonly stdout: Writable;
  /** The container's stderr: stream-2 frames without a TTY, raw bytes with one. */
  readonly stderr: Writable;
  /** Whether output goes in stdcopy frames. */
  readonly multiplexed: boolean;
  /** Whether the client asked to upgrade (101) or is an old client (200). */
  readonly upgraded: boolean;
  readonly contentType: string;
  /** Resolves when the connection is closed (by either side). */
  readonly closed: Promise<void>;
  readonly kind: 'attach' | 'exec';
  #head: string;
  #stdinSink: PassThrough;
  #headWritten = false;
  #ended = false;

  constructor(socket: Duplex, options: HijackOptions & { upgraded: boolean; apiVersion: string; pendingHeaders: Record<string, string> }) {
    this.socket = socket;
    const stdin = new PassThrough();
    this.stdin = stdin;
    this.#stdinSink = stdin;
    socket.pipe(stdin);
    socket.once('close', () => {
      if (!stdin.writableEnded) stdin.end();
    });
    this.upgraded = options.upgraded;
    this.multiplexed = !options.tty;
    this.contentType = options.upgraded ? streamContentType(options.apiVersion, options.tty) : rawStreamType;
    const copied = options.kind === 'exec' ? options.pendingHeaders : {};
    const lines = Object.keys(copied)
      .sort()
      .map((name) => `${name}: ${copied[name]}\r\n`)
      .join('');
    this.#head = options.upgraded
      ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${this.contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${lines}\r\n`
      : `HTTP/1.1 200 OK\r\nContent-Type: ${rawStreamType}\r\n${lines}\r\n`;
    this.kind = options.kind;
    this.stdout = new OutputWriter(this, this.multiplexed ? StdStream.stdout : undefined);
    this.stderr = new OutputWriter(this, this.multiplexed ? StdStream.stderr : undefined);
    this.closed = new Promise((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
  }

  get headWritten(): boolean {
    return this.#headWritten;
  }

  /** Writes the 101 (or 200) head, once. */
  writeHead(): void {
    if (this.#headWritten) return;
    this.#headWritten = true;
    if (!this.socket.destroyed) this.socket.write(this.#head, 'latin1');
  }

  /**
   * Ends the session: waits for queued output, then closes the connection as dockerd does
   * (unread client bytes are discarded first, so the close is clean).
   */
  async end(): Promise<void> {
    if (this.#ended) return this.closed;
    this.#ended = true;
    this.writeHead();
    await Promise.all([finish(this.stdout), finish(this.stderr)]);
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.unpipe(this.#stdinSink);
    socket.resume();
    socket.end(() => socket.destroy());
    return this.closed;
  }

  /** Reports `err` on the connection as dockerd would at this point, then closes it. */
  fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (!this.#headWritten) {
      this.#headWritten = true;
      const status = httpStatusOf(err);
      const text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${rawStreamType}\r\n\r\n${message}\r\n`;
      this.#ended = true;
      if (!this.socket.destroyed) {
        this.socket.unpipe(this.#stdinSink);
        this.socket.resume();
        this.socket.end(text, () => this.socket.destroy());
      }
      return;
    }
    if (this.kind === 'exec' && !this.#ended && !this.stdout.writableEnded) this.stdout.write(`${message}\r\n`);
    void this.end();
  }

  /** Writes bytes to the socket; `done` once it can take more (or is gone). */
  send(data: Buffer | string, done: (err?: Error | null) => void): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) {
      done(errorOf('unavailable', 'the client has gone'));
      return;
    }
    if (socket.write(data)) {
      done();
      return;
    }
    const onDrain = () => {
      socket.off('close', onDrain);
      socket.off('drain', onDrain);
      done();
    };
    socket.once('drain', onDrain);
    socket.once('close', onDrain);
  }
}

/** stdout/stderr of a hijacked stream: one frame per write (several writes coalesce in one). */
class OutputWriter extends Writable {
  constructor(
    private readonly conn: HijackedStream,
    private readonly stream: StdStreamId | undefined,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.conn.writeHead();
    this.conn.send(this.stream === undefined ? chunk : frames([chunk], this.stream), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.conn.writeHead();
    const buffers = chunks.map((c) => c.chunk);
    this.conn.send(this.stream === undefined ? Buffer.concat(buffers) : frames(buffers, this.stream), callback);
  }
}

function frames(payloads: Buffer[], stream: StdStreamId): Buffer {
  let total = 0;
  for (const p of payloads) total += frameHeaderLength + p.length;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const p of payloads) {
    if (p.length === 0) continue; // an empty frame would read as nothing; skip it
    offset = writeFrameHeader(out, offset, stream, p.length);
    offset += p.copy(out, offset);
  }
  return offset === total ? out : out.subarray(0, offset);
}

function finish(stream: Writable): Promise<void> {
  if (stream.writableFinished || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('finish', resolve);
    stream.once('error', () => resolve());
    stream.once('close', resolve);
    stream.end();
  });
}

/** Requests whose connection was taken: dispatch reports a handler's late error through them. */
const hijacked = new WeakMap<IncomingMessage, HijackedStream>();

/**
 * Takes over the request's connection. The route must be declared `hijack: true` (plain
 * requests then carry `ctx.upgrade` too). Unless `deferHead`, the head is written at once.
 */
export function hijack(ctx: RequestContext, options: HijackOptions): HijackedStream {
  if (!ctx.upgrade) throw errorOf('internal', `${ctx.req.method} ${ctx.req.url}: this route cannot take over its connection (declare it hijack: true)`);
  if (hijacked.has(ctx.req)) throw errorOf('internal', 'the connection was already taken over');
  const pendingHeaders: Record<string, string> = {};
  for (const name of ctx.res.getHeaderNames()) {
    const value = ctx.res.getHeader(name);
    if (value !== undefined) pendingHeaders[canonicalHeaderName(name)] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const upgraded = ctx.req.headers.upgrade !== undefined;
  const head = ctx.upgrade.head;
  const socket = ctx.upgrade.hijack();
  socket.pause();
  if (head.length > 0) socket.unshift(head);
  const stream = new HijackedStream(socket, { ...options, upgraded, apiVersion: ctx.apiVersion, pendingHeaders });
  hijacked.set(ctx.req, stream);
  if (!options.deferHead) stream.writeHead();
  return stream;
}

/**
 * For dispatch: reports a handler's error on a hijacked connection (see the file comment).
 * Returns false when the request was not hijacked (answer it normally).
 */
export function failHijack(req: IncomingMessage, err: unknown): boolean {
  const stream = hijacked.get(req);
  if (!stream) return false;
  stream.fail(err);
  return true;
}

/** Listener names of Node's HTTP server on a connection (Node 20: `_http_server.js`). */
const httpServerListener = /(?:^|\s)(?:socketOn(?:Data|End|Drain|Timeout|Error)|onSocket(?:Pause|Resume))$/;

/**
 * An `Upgrade` for a request without an `Upgrade` header, for routes declared `hijack: true`:
 * `hijack()` stops Node's HTTP parser from reading the connection (as Node does itself for
 * upgrades) and hands over the socket. Only the client's bytes after the request are raw; the
 * request body must have been read before (`readBody()`: exec start reads its JSON first).
 */
export function plainTakeover(req: IncomingMessage, res: ServerResponse): Upgrade {
  let body: Promise<Buffer> | undefined;
  return {
    head: Buffer.alloc(0),
    // node:http parses a plain request's body: read it from the request stream (once).
    readBody: () =>
      (body ??= (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      })()),
    hijack: () => {
      const socket = req.socket as Socket & { parser?: { _consumed?: boolean; unconsume?: () => void } | null; server?: unknown };
      const parser = socket.parser;
      if (parser?._consumed) {
        parser.unconsume?.();
        parser._consumed = false;
      }
      for (const event of ['data', 'end', 'drain', 'timeout', 'error', 'pause', 'resume'] as const) {
        for (const listener of socket.listeners(event)) {
          if (httpServerListener.test((listener as { name: string }).name)) socket.off(event, listener as (...args: unknown[]) => void);
        }
      }
      socket.pause();
      res.detachSocket(socket);
      res.shouldKeepAlive = false;
      socket.setTimeout(0);
      socket.on('error', () => socket.destroy()); // the client went away
      // Let the server close it on shutdown like an upgraded socket (EngineApiServer.upgraded).
      const tracker = (socket.server as { upgraded?: Set<Duplex> } | undefined)?.upgraded;
      if (tracker) {
        tracker.add(socket);
        socket.once('close', () => tracker.delete(socket));
      }
      return socket;
    },
  };
}
