/**
 * One client attached to a container's (or an exec's) process: what it receives and what it
 * sends, between the engine's `AttachSession` and a monitor's attach socket.
 *
 * An attachment may exist before its process does (`docker run`: create, attach, start): it
 * is registered first and connected to the monitor when the container is created, before the
 * runtime starts it, so nothing the process writes is missed. Output is pulled from the
 * monitor's socket as the client reads it (a client that stops reading is eventually dropped
 * by the monitor, never the container blocked).
 */
import { attach as attachMonitor, encodeFrame, FrameDecoder, STREAM_STDERR, STREAM_STDOUT, type AttachSession as MonitorSession } from '../runtime/attach.js';
import { closeSync, openSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { AttachInput, AttachSession } from './container-engine.js';

/** A unix socket path must fit `sun_path` (108 bytes with its NUL). */
const maxSocketPath = 100;

/**
 * Connects to a monitor's attach socket. Paths too long for `sun_path` (deep exec roots and
 * 64-hex container IDs make them) are reached through `/proc/self/fd/<dir fd>/`.
 */
export async function connectMonitor(socketPath: string): Promise<MonitorSession> {
  if (socketPath.length <= maxSocketPath) return attachMonitor(socketPath);
  const fd = openSync(dirname(socketPath), 'r');
  try {
    return await attachMonitor(`/proc/self/fd/${fd}/${basename(socketPath)}`);
  } finally {
    closeSync(fd);
  }
}

export interface AttachmentOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /**
   * What the client's end of stdin means: `close` closes the process's stdin (exec, and
   * attach to a StdinOnce container), `detach` ends this attachment only (Docker's rule for
   * any other attach).
   */
  onStdinEnd: 'close' | 'detach';
  /** Bytes sent before the live output (the `logs=1` replay). */
  replay?: AsyncIterable<Uint8Array>;
  /**
   * Runs before the output ends (an exec records its exit code, so a client inspecting at EOF
   * sees it); what it returns, already framed for this attachment, is the output's last bytes
   * (an exec that could not start tells why, in band, as dockerd does).
   */
  beforeEnd?: () => Promise<Uint8Array | undefined>;
}

export class Attachment implements AttachSession {
  readonly tty: boolean;
  readonly ready: Promise<void>;
  readonly output: AsyncIterable<Uint8Array>;
  #session: MonitorSession | undefined;
  #closed = false;
  #connected!: (session: MonitorSession | undefined) => void;
  readonly #whenConnected: Promise<MonitorSession | undefined>;

  constructor(
    private readonly opts: AttachmentOptions,
    private readonly input: AsyncIterable<AttachInput> | undefined,
    private readonly onClose: (a: Attachment) => void = () => undefined,
  ) {
    this.tty = opts.tty;
    this.ready = Promise.resolve();
    this.#whenConnected = new Promise((resolve) => (this.#connected = resolve));
    this.output = this.#output();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Connects to the monitor's socket; resolves once connected (or when this attachment is gone). */
  async connect(socketPath: string): Promise<void> {
    if (this.#closed) return;
    let session: MonitorSession;
    try {
      session = await connectMonitor(socketPath);
    } catch {
      this.close();
      return;
    }
    if (this.#closed) {
      session.close();
      return;
    }
    this.#session = session;
    this.#connected(session);
    if (this.opts.stdin && this.input) void this.#pumpInput(session, this.input);
  }

  /** The process is gone (or never came): the output ends after what was received. */
  finish(): void {
    this.#connected(undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected(undefined);
    this.#session?.close();
    this.onClose(this);
  }

  async *#output(): AsyncGenerator<Uint8Array> {
    try {
      if (this.opts.replay) for await (const chunk of this.opts.replay) yield chunk;
      const session = await this.#whenConnected;
      if (!session) return;
      const { stdout, stderr, tty } = this.opts;
      if (!tty && stdout && stderr) {
        // The monitor already speaks Docker's multiplexed stream: pass it through.
        for await (const chunk of session.raw()) yield chunk;
        const last = await this.opts.beforeEnd?.();
        if (last?.length) yield last;
        return;
      }
      const decoder = new FrameDecoder();
      for await (const chunk of session.raw()) {
        const out: Buffer[] = [];
        for (const frame of decoder.push(chunk)) {
          if (frame.stream === STREAM_STDOUT && !stdout) continue;
          if (frame.stream === STREAM_STDERR && !stderr) continue;
          out.push(tty ? frame.data : encodeFrame(frame.stream, frame.data));
        }
        if (out.length > 0) yield Buffer.concat(out);
      }
      const last = await this.opts.beforeEnd?.();
      if (last?.length) yield last;
    } finally {
      this.close();
    }
  }

  async #pumpInput(session: MonitorSession, input: AsyncIterable<AttachInput>): Promise<void> {
    try {
      for await (const item of input) {
        if (this.#closed) return;
        if ('stdin' in item) {
          session.writeStdin(Buffer.from(item.stdin.buffer, item.stdin.byteOffset, item.stdin.byteLength));
        } else {
          if (this.opts.onStdinEnd === 'close') session.closeStdin();
          else this.close();
          return;
        }
      }
    } catch {
      // The client's input broke: output goes on.
    }
  }
}
