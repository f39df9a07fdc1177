/**
 * `EventLog`: the engine's events, append-only, persisted as JSON lines under one directory,
 * size-capped by dropping whole old segments. Appends are stamped from a clock with strictly
 * increasing `timeNano` (also across a reopen), delivered at once to live listeners, and
 * written in order in the background; `replay` reads what was appended before it was called.
 */
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { errorOf } from '../../lib/errdefs/index.js';
import { systemClock, type Clock } from './clock.js';
import { stamp, type EventDraft, type EventMessage } from './event-message.js';
import { decodeLines, encodeLine, loadSegments, segmentPath, type Segment } from './log-segments.js';

export interface EventLogOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Past this many bytes on disk the oldest segments are dropped. Default 4 MiB. */
  maxBytes?: number;
  /** A segment is closed once the next line would take it past this. Default `maxBytes / 8`. */
  segmentBytes?: number;
  /** Told about writes that failed (the event was still delivered live). Default: ignored. */
  onError?: (err: unknown) => void;
}

/** A time window, in nanoseconds since the epoch, both ends included; absent ends are open. */
export interface TimeWindow {
  since?: bigint;
  until?: bigint;
}

export type EventListener = (event: EventMessage) => void;

export const defaultMaxBytes = 4 * 1024 * 1024;

export class EventLog {
  readonly #dir: string;
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #onError: (err: unknown) => void;
  readonly #segments: Segment[];
  readonly #listeners = new Set<EventListener>();
  #handle: FileHandle;
  #last: bigint;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(dir: string, segments: Segment[], handle: FileHandle, options: Required<EventLogOptions>) {
    this.#dir = dir;
    this.#segments = segments;
    this.#handle = handle;
    this.#clock = options.clock;
    this.#maxBytes = options.maxBytes;
    this.#segmentBytes = options.segmentBytes;
    this.#onError = options.onError;
    this.#last = segments.reduce((last, s) => s.last ?? last, 0n);
  }

  /** Opens (creating) the log under `dir`, recovering from a write cut short. */
  static async open(dir: string, options: EventLogOptions = {}): Promise<EventLog> {
    const maxBytes = options.maxBytes ?? defaultMaxBytes;
    const segmentBytes = options.segmentBytes ?? Math.max(1, Math.floor(maxBytes / 8));
    if (!(maxBytes > 0 && segmentBytes > 0 && segmentBytes <= maxBytes)) {
      throw errorOf('invalid-argument', `events log: need 0 < segmentBytes (${segmentBytes}) <= maxBytes (${maxBytes})`);
    }
    await mkdir(dir, { recursive: true });
    const segments = await loadSegments(dir);
    if (segments.length === 0) segments.push({ seq: 1, path: segmentPath(dir, 1), bytes: 0 });
    const handle = await open(segments.at(-1)!.path, 'a');
    const clock = options.clock ?? systemClock();
    const log = new EventLog(dir, segments, handle, { clock, maxBytes, segmentBytes, onError: options.onError ?? (() => undefined) });
    await log.#enforceCap();
    return log;
  }

  /** The clock that stamps appends (also what subscriptions time `until` by). */
  get clock(): Clock {
    return this.#clock;
  }

  /** The newest event's timeNano; 0n for an empty log. */
  get lastTimeNano(): bigint {
    return this.#last;
  }

  /** Stamps and records `draft`, tells live listeners, and returns the stored event. Throws `invalid-argument` without type or action. */
  append(draft: EventDraft): EventMessage {
    if (this.#closed) throw errorOf('unavailable', 'events log is closed');
    if (!draft.type || !draft.action) throw errorOf('invalid-argument', 'an event needs a type and an action');
    const now = this.#clock.now();
    const event = stamp(draft, now > this.#last ? now : this.#last + 1n);
    this.#last = event.timeNano;
    const line = encodeLine(event);
    this.#tail = this.#tail.then(() => this.#write(line, event.timeNano)).catch(this.#onError);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#onError(err);
      }
    }
    return event;
  }

  /** The stored events in `window`, oldest first, among those appended before this call. */
  replay(window: TimeWindow = {}): AsyncIterable<EventMessage> {
    const until = window.until === undefined || window.until > this.#last ? this.#last : window.until;
    return this.#read(window.since ?? -(1n << 63n), until);
  }

  /** Calls `listener` with every event appended from now on; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once every event appended so far is on disk (or its write failed). */
  flush(): Promise<void> {
    return this.#tail;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#tail;
    await this.#handle.close();
  }

  async *#read(since: bigint, until: bigint): AsyncGenerator<EventMessage> {
    await this.#tail;
    for (const segment of [...this.#segments]) {
      if (segment.first === undefined || segment.last! < since || segment.first > until) continue;
      let text: string;
      try {
        text = await readFile(segment.path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // dropped by the cap meanwhile
        throw err;
      }
      for (const event of decodeLines(text)) {
        if (event.timeNano >= since && event.timeNano <= until) yield event;
      }
    }
  }

  async #write(line: string, timeNano: bigint): Promise<void> {
    const bytes = Buffer.byteLength(line);
    let segment = this.#segments.at(-1)!;
    if (segment.bytes > 0 && segment.bytes + bytes > this.#segmentBytes) {
      await this.#handle.close();
      segment = { seq: segment.seq + 1, path: segmentPath(this.#dir, segment.seq + 1), bytes: 0 };
      this.#handle = await open(segment.path, 'a');
      this.#segments.push(segment);
    }
    await this.#handle.appendFile(line);
    segment.bytes += bytes;
    segment.first ??= timeNano;
    segment.last = timeNano;
    await this.#enforceCap();
  }

  async #enforceCap(): Promise<void> {
    let total = this.#segments.reduce((sum, s) => sum + s.bytes, 0);
    while (total > this.#maxBytes && this.#segments.length > 1) {
      const oldest = this.#segments.shift()!;
      total -= oldest.bytes;
      await rm(oldest.path, { force: true });
    }
  }
}
