import { connect, type Socket } from 'node:net';
import { errorOf } from '../../lib/errdefs/index.js';

/**
 * Docker's multiplexed stream, as the monitor speaks it on its attach socket:
 * each frame is an 8-byte header — byte 0 the stream, bytes 1-3 zero, bytes
 * 4-7 the payload length, big-endian — then the payload. The monitor sends
 * stream 1 (stdout; everything with a tty) and 2 (stderr); clients send
 * 0 (stdin data), 3 (close stdin) and 4 (resize: rows BE16, cols BE16).
 */
export const STREAM_STDIN = 0;
export const STREAM_STDOUT = 1;
export const STREAM_STDERR = 2;
export const STREAM_CLOSE_STDIN = 3;
export const STREAM_RESIZE = 4;

export interface OutputFrame {
  stream: number;
  data: Buffer;
}

export function encodeFrame(stream: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Splits a byte stream into frames; feed chunks with `push`, get whole frames back. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): OutputFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: OutputFrame[] = [];
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      frames.push({ stream: this.pending[0]!, data: this.pending.subarray(8, 8 + length) });
      this.pending = this.pending.subarray(8 + length);
    }
    return frames;
  }

  /** Bytes of an incomplete frame left over (at the end of the stream: a truncated frame). */
  get leftover(): number {
    return this.pending.length;
  }
}

/** A client of a monitor's attach socket. Read with either `raw()` or `output()`, not both. */
export interface AttachSession {
  readonly socket: Socket;
  /** The framed bytes exactly as the monitor sends them, for pass-through to a Docker client. */
  raw(): AsyncIterable<Buffer>;
  /** The frames, decoded. Ends when the process has exited and its output is drained. */
  output(): AsyncIterable<OutputFrame>;
  writeStdin(data: Buffer | string): void;
  /** EOF on the process's stdin (with a tty: the VEOF character). */
  closeStdin(): void;
  /** Sets the pty size (only meaningful with a tty). */
  resize(rows: number, cols: number): void;
  /** Detaches: the process keeps running (with stdinOnce, its stdin is closed). */
  close(): void;
}

/**
 * Connects to a monitor's attach socket. Resolves once connected: from then
 * on the client receives everything the process writes. Rejects `not-found`
 * when no monitor listens there (the process has exited, or never started).
 */
export function attach(socketPath: string): Promise<AttachSession> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const kind = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'not-found' : 'unavailable';
      reject(errorOf(kind, `attach ${socketPath}: ${err.message}`));
    });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined); // surfaced as the end of the iterables
      resolve(session(socket));
    });
  });
}

function session(socket: Socket): AttachSession {
  const send = (frame: Buffer) => {
    if (!socket.destroyed && socket.writable) socket.write(frame);
  };
  const raw = async function* (): AsyncIterable<Buffer> {
    try {
      for await (const chunk of socket) yield chunk as Buffer;
    } catch {
      // a reset ends the stream like EOF
    }
  };
  return {
    socket,
    raw,
    async *output() {
      const decoder = new FrameDecoder();
      for await (const chunk of raw()) yield* decoder.push(chunk);
    },
    writeStdin: (data) => send(encodeFrame(STREAM_STDIN, data)),
    closeStdin: () => send(encodeFrame(STREAM_CLOSE_STDIN)),
    resize: (rows, cols) => {
      const size = Buffer.alloc(4);
      size.writeUInt16BE(rows, 0);
      size.writeUInt16BE(cols, 2);
      send(encodeFrame(STREAM_RESIZE, size));
    },
    close: () => socket.destroy(),
  };
}

/** Reads a session to its end, joining each stream's bytes (tests, small outputs). */
export async function collectOutput(session: AttachSession): Promise<{ stdout: string; stderr: string; frames: OutputFrame[] }> {
  const frames: OutputFrame[] = [];
  for await (const frame of session.output()) frames.push(frame);
  const join = (stream: number) => Buffer.concat(frames.filter((f) => f.stream === stream).map((f) => f.data)).toString();
  return { stdout: join(STREAM_STDOUT), stderr: join(STREAM_STDERR), frames };
}
