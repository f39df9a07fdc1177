/**
 * Reading a container's json-file log the way `docker logs` does (moby's jsonfilelog reader):
 * rotated files `<path>.N` … `<path>.1` then `<path>`, oldest first; `tail` counted from the end
 * across files; `since`/`until` filters; `follow` that survives rotation.
 *
 * How it stays fast on big logs:
 * - `tail` reads backwards in 64 KiB blocks counting newlines, so showing 10 lines of a 100 MB
 *   log reads one block; files entirely before `since` are skipped after reading their last line.
 * - The forward read takes 1 MiB blocks into fresh buffers and decodes every complete line in
 *   place (see json-line.ts); entries are views of the block, handed out a block at a time
 *   (`batches()`), the entry iterator flattens those.
 *
 * Follow: after reaching the end of the current file, the reader waits for a change (an
 * fs.watch on the directory, with a poll as a safety net), reads what was appended, and when
 * `<path>` is a different file than the one it holds (rotated: renamed to `.1`, a new one
 * created), it finishes the old file first, then reads the new one from its start: nothing is
 * lost or repeated. A line without its newline yet (the writer is mid-write) is left for later.
 * `followUntil` (the container stopped) ends the follow once everything written was read;
 * `signal` ends it at once.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { errorOf } from '../../lib/errdefs/errdefs.js';
import { decodeLine, decodeLines, type LineFilter, type LogEntry } from './json-line.js';

export interface ReadLogsOptions {
  /** How many entries from the end; 'all' (the default) or a negative number reads everything. */
  tail?: number | 'all';
  /** Only entries at or after this time (nanoseconds since the epoch); 0n or absent: no limit. */
  since?: bigint;
  /** Only entries at or before this time; the read ends at the first entry after it. */
  until?: bigint;
  /** Keep reading what is appended (and rotated) until `followUntil`, `signal` or `until`. */
  follow?: boolean;
  signal?: AbortSignal;
  /** Resolves when the container stops: the follow ends once everything written so far was read. */
  followUntil?: Promise<void>;
  /** Safety-net poll of the file while following, in ms (fs.watch usually wakes us first). */
  pollIntervalMs?: number;
}

/** The entries of a log, one by one or a read block at a time. */
export interface LogReader extends AsyncIterable<LogEntry> {
  /** The same entries in arrays, one per block read: fewer awaits for bulk consumers. */
  batches(): AsyncIterable<LogEntry[]>;
}

/** Forward read size; one block is one batch. */
export const readBlockSize = 1 << 20;
const tailBlockSize = 64 * 1024;
const NEWLINE = 0x0a;

export function readLogs(path: string, options: ReadLogsOptions = {}): LogReader {
  const tail = options.tail ?? 'all';
  if (tail !== 'all' && !Number.isInteger(tail)) throw errorOf('invalid-argument', `invalid tail ${String(tail)}`);
  const batches = () => readBatches(path, options);
  return {
    batches: () => ({ [Symbol.asyncIterator]: batches }),
    [Symbol.asyncIterator]: () => flatten(batches()),
  };
}

function flatten(source: AsyncGenerator<LogEntry[], void>): AsyncIterator<LogEntry> {
  let batch: LogEntry[] = [];
  let i = 0;
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  return {
    async next(): Promise<IteratorResult<LogEntry>> {
      while (i >= batch.length) {
        const r = await source.next();
        if (r.done) return done;
        batch = r.value;
        i = 0;
      }
      return { done: false, value: batch[i++]! };
    },
    async return(): Promise<IteratorResult<LogEntry>> {
      await source.return();
      return done;
    },
  };
}

interface LogFile {
  fh: FileHandle;
  ino: number;
  dev: number;
  /** Size when opened. */
  size: number;
}

async function openLogFile(path: string): Promise<LogFile | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const st = await fh.stat();
    return { fh, ino: st.ino, dev: st.dev, size: st.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * Opens `<path>` and its rotated files, oldest first. The current file is opened first and
 * files are told apart by inode, so a rotation while we open cannot show one file twice.
 */
async function openLogFiles(path: string): Promise<{ rotated: LogFile[]; current: LogFile | undefined }> {
  const current = await openLogFile(path);
  let numbers: number[];
  try {
    numbers = await rotatedNumbers(path);
  } catch (err) {
    await current?.fh.close();
    throw err;
  }
  const rotated: LogFile[] = [];
  const seen = new Set<string>(current ? [`${current.dev}:${current.ino}`] : []);
  try {
    for (const n of numbers) {
      const file = await openLogFile(`${path}.${n}`);
      if (!file) continue;
      const key = `${file.dev}:${file.ino}`;
      if (seen.has(key)) {
        await file.fh.close();
        continue;
      }
      seen.add(key);
      rotated.push(file);
    }
  } catch (err) {
    await Promise.all([...rotated, ...(current ? [current] : [])].map((f) => f.fh.close()));
    throw err;
  }
  return { rotated, current };
}

async function readFully(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * Where the last `n` complete lines of `[0, size)` start, reading backwards in blocks, and
 * how many complete lines that is (fewer than `n` when the file is shorter). A trailing line
 * without its newline is not counted: it is not written yet.
 */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<{ start: number; count: number }> {
  const buf = Buffer.allocUnsafe(Math.min(tailBlockSize, Math.max(size, 1)));
  let found = 0;
  let end = size;
  while (end > 0) {
    const len = Math.min(buf.length, end);
    const from = end - len;
    const got = await readFully(fh, buf, len, from);
    let i = got - 1;
    while (i >= 0) {
      const nl = buf.lastIndexOf(NEWLINE, i);
      if (nl < 0) break;
      // The (n+1)-th newline from the end closes the line before the first one we want.
      if (++found === n + 1) return { start: from + nl + 1, count: n };
      i = nl - 1;
    }
    end = from;
  }
  return { start: 0, count: found };
}

/** The last complete entry of `[0, size)`, if any. */
async function lastEntry(fh: FileHandle, size: number): Promise<LogEntry | undefined> {
  const { start, count } = await tailStart(fh, size, 1);
  if (count === 0) return undefined;
  const buf = Buffer.allocUnsafe(size - start);
  const got = await readFully(fh, buf, buf.length, start);
  const nl = buf.lastIndexOf(NEWLINE, got - 1);
  return nl > 0 ? decodeLine(buf, 0, nl) : undefined;
}

interface ReadState {
  filter: LineFilter;
  /** An entry after `until` was met, or the consumer went away: stop everything. */
  stopped: boolean;
  signal: AbortSignal | undefined;
  /** A spare buffer for small follow reads, so each poll does not allocate a whole block. */
  scratch: Buffer | undefined;
}

/**
 * Reads complete lines of `fh` from `pos` up to `end` (or to the current end of file) and
 * yields their entries a block at a time. Returns where the next unread line starts.
 *
 * A bulk read (a full block) starts reading the next block before its own entries are decoded
 * and consumed, so the disk and the decoding overlap.
 */
async function* readRange(fh: FileHandle, pos: number, end: number | undefined, state: ReadState): AsyncGenerator<LogEntry[], number> {
  let size = readBlockSize;
  let ahead: { at: number; want: number; buf: Buffer; read: Promise<number> } | undefined;
  try {
    while (!state.stopped && !state.signal?.aborted) {
      const want = end === undefined ? size : Math.min(size, end - pos);
      if (want <= 0) break;
      let buf: Buffer;
      let got: number;
      if (ahead !== undefined && ahead.at === pos && ahead.want === want) {
        buf = ahead.buf;
        got = await ahead.read;
      } else {
        if (ahead !== undefined) await ahead.read.catch(() => undefined);
        buf = state.scratch !== undefined && state.scratch.length >= want ? state.scratch : Buffer.allocUnsafeSlow(want);
        state.scratch = undefined;
        got = await readFully(fh, buf, want, pos);
      }
      ahead = undefined;
      if (got === 0) {
        state.scratch = buf;
        break;
      }
      const lastNl = buf.lastIndexOf(NEWLINE, got - 1);
      if (lastNl < 0) {
        state.scratch = buf;
        if (got < want) break; // only a partial line so far
        size *= 2; // a line longer than the block
        continue;
      }
      const used = lastNl + 1;
      if (used < buf.length / 4) {
        // A small read (following): copy its lines out and keep the big buffer for the next one.
        const small = Buffer.allocUnsafeSlow(used);
        buf.copy(small, 0, 0, used);
        state.scratch = buf;
        buf = small;
      } else if (got === want) {
        const at = pos + used;
        const next = end === undefined ? readBlockSize : Math.min(readBlockSize, end - at);
        if (next > 0) {
          const nextBuf = Buffer.allocUnsafeSlow(next);
          ahead = { at, want: next, buf: nextBuf, read: readFully(fh, nextBuf, next, at) };
          ahead.read.catch(() => undefined); // awaited when used; a failure then is the read's
        }
      }
      const { entries, pastUntil } = decodeLines(buf, 0, used, state.filter);
      pos += used;
      if (pastUntil) state.stopped = true;
      if (entries.length > 0) yield entries;
      if (got < want) break; // end of file for now
      size = readBlockSize;
    }
  } finally {
    // The file is closed after us: no read may still be running on it.
    if (ahead !== undefined) await ahead.read.catch(() => undefined);
  }
  return pos;
}

async function* readBatches(path: string, options: ReadLogsOptions): AsyncGenerator<LogEntry[], void> {
  const signal = options.signal;
  if (signal?.aborted) return;
  const tail = options.tail === undefined || options.tail === 'all' || options.tail < 0 ? -1 : options.tail;
  const filter: LineFilter = {
    since: options.since !== undefined && options.since > 0n ? options.since : undefined,
    until: options.until !== undefined && options.until > 0n ? options.until : undefined,
  };
  const state: ReadState = { filter, stopped: false, signal, scratch: undefined };
  const { rotated, current } = await openLogFiles(path);
  let cur = current;
  try {
    // The part of each file to read: rotated files whole, the current one to its end.
    const plan: { file: LogFile; start: number }[] = [];
    if (tail < 0) {
      for (const file of rotated) {
        if (filter.since !== undefined) {
          const last = await lastEntry(file.fh, file.size);
          if (last !== undefined && last.timeNanos < filter.since) continue;
        }
        plan.push({ file, start: 0 });
      }
      if (cur) plan.push({ file: cur, start: 0 });
    } else {
      let left = tail;
      for (const file of [...rotated, ...(cur ? [cur] : [])].reverse()) {
        const { start, count } = await tailStart(file.fh, file.size, left);
        if (count > 0 || file === cur) plan.unshift({ file, start });
        left -= count;
        if (left <= 0) break;
      }
    }
    let pos = 0;
    for (const { file, start } of plan) {
      const end = file === cur ? undefined : file.size;
      if (file === cur && tail === 0) {
        pos = start; // nothing from history: follow from the end of the last complete line
        continue;
      }
      pos = yield* readRange(file.fh, start, end, state);
      if (state.stopped || signal?.aborted) return;
    }
    if (!options.follow) return;
    yield* follow(path, cur, pos, state, options);
  } finally {
    const files = new Set([...rotated, ...(current ? [current] : [])]);
    await Promise.all([...files].map((f) => f.fh.close().catch(() => undefined)));
  }
}

/**
 * The file written after `cur`, found by inode: if `cur` is now `<path>.k`, that is
 * `<path>.(k-1)` (or `<path>` for k = 1); if `cur` was deleted (rotated out), the oldest file
 * left. Undefined when there is nothing newer (or the files keep moving under us).
 */
async function nextLogFile(path: string, cur: LogFile | undefined): Promise<LogFile | undefined> {
  if (!cur) return openLogFile(path);
  for (let attempt = 0; attempt < 5; attempt++) {
    const names = [path, ...(await rotatedNumbers(path)).reverse().map((n) => `${path}.${n}`)]; // newest first
    const stats = await Promise.all(names.map((name) => stat(name).catch(() => undefined)));
    const k = stats.findIndex((s) => s !== undefined && s.ino === cur.ino && s.dev === cur.dev);
    if (k === 0) return undefined; // not rotated after all
    let pick = k > 0 ? k - 1 : stats.length - 1;
    while (pick >= 0 && stats[pick] === undefined) pick--;
    if (pick < 0) return undefined;
    const file = await openLogFile(names[pick]!);
    if (file && file.ino === stats[pick]!.ino && file.dev === stats[pick]!.dev) return file;
    await file?.fh.close(); // it moved between stat and open: look again
  }
  return openLogFile(path);
}

/** The numbers N of the rotated files `<path>.N`, oldest (highest) first. */
async function rotatedNumbers(path: string): Promise<number[]> {
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.startsWith(`${base}.`) && /^[1-9]\d*$/.test(n.slice(base.length + 1)))
    .map((n) => Number(n.slice(base.length + 1)))
    .sort((a, b) => b - a);
}

/** Follows `path` from `pos` of `cur` (undefined: the file does not exist yet). */
async function* follow(
  path: string,
  initial: LogFile | undefined,
  initialPos: number,
  state: ReadState,
  options: ReadLogsOptions,
): AsyncGenerator<LogEntry[], void> {
  let cur = initial;
  let pos = initialPos;
  let changed = false;
  let ending = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    changed = true;
    wake?.();
  };
  const base = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || name === base || name.startsWith(`${base}.`)) poke();
    });
    watcher.on('error', () => undefined); // the poll still runs
  } catch {
    watcher = undefined; // no inotify here: poll only
  }
  const onAbort = () => poke();
  options.signal?.addEventListener('abort', onAbort);
  options.followUntil?.then(
    () => {
      ending = true;
      poke();
    },
    () => {
      ending = true;
      poke();
    },
  );
  const pollMs = options.pollIntervalMs ?? 250;
  const opened: LogFile[] = [];
  try {
    for (;;) {
      changed = false;
      // With `until` in the past nothing newer can be shown: finish what is there.
      if (state.filter.until !== undefined && BigInt(Date.now()) * 1_000_000n > state.filter.until) ending = true;
      const finalPass = ending;
      if (cur) pos = yield* readRange(cur.fh, pos, undefined, state);
      if (state.stopped || options.signal?.aborted) return;
      // Rotated? `path` now names another file: finish ours (done above), then go on with the
      // file written after it (not necessarily `path`: several rotations may have happened).
      const now = await stat(path).catch(() => undefined);
      if (now && (!cur || now.ino !== cur.ino || now.dev !== cur.dev)) {
        if (cur) pos = yield* readRange(cur.fh, pos, undefined, state);
        if (state.stopped || options.signal?.aborted) return;
        const next = await nextLogFile(path, cur);
        if (next) {
          opened.push(next);
          cur = next;
          pos = 0;
          continue;
        }
      } else if (now && cur && now.size < pos) {
        pos = 0; // truncated in place (max-file 1 reopens with O_TRUNC): start again from the top
        continue;
      }
      if (finalPass) return;
      if (!changed && !ending) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  } finally {
    watcher?.close();
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.all(opened.map((f) => f.fh.close().catch(() => undefined)));
  }
}
