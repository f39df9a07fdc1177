/**
 * Decoding json-file log lines, `{"log":"hi\n","stream":"stdout","time":"2026-…Z"}`, fast.
 *
 * The driver's lines always have the same shape, so a tight decoder checks the literal parts
 * byte by byte and unescapes the `log` string in place (an escape never decodes longer than it
 * is written), giving a view of the block it was read into: no string, no copy, no JSON.parse.
 * Lines of any other shape (an `attrs` object from `--log-opt labels=…`, reordered fields,
 * spaces) fall back to JSON.parse. Unescaping follows Go's decoder: `\uXXXX` surrogate pairs
 * join, a lone surrogate becomes U+FFFD.
 *
 * Times are Go RFC 3339 with up to nine fraction digits (Go trims trailing zeros; JavaScript
 * writers give three). `parseTimeNanos` reads them as nanoseconds since the epoch;
 * `fixedNanoTime` rewrites one with exactly nine digits, as `docker logs -t` shows it.
 */

export type LogStreamName = 'stdout' | 'stderr';

/** One entry of a container's log. */
export interface LogEntry {
  readonly stream: LogStreamName;
  /** The bytes, newline included when there was one. */
  readonly line: Buffer;
  /** The time as written in the file (RFC 3339, up to nine fraction digits). */
  readonly time: string;
  /** `time` in nanoseconds since the Unix epoch. */
  readonly timeNanos: bigint;
  /** Extra attributes (`--log-opt labels/env`), when the line has them. */
  readonly attrs?: Readonly<Record<string, string>>;
}

/** An entry built from values (the JSON.parse path, tests, other sources). */
class Entry implements LogEntry {
  #nanos: bigint | undefined;
  constructor(
    readonly stream: LogStreamName,
    readonly line: Buffer,
    readonly time: string,
    readonly attrs?: Readonly<Record<string, string>>,
  ) {}
  get timeNanos(): bigint {
    return (this.#nanos ??= parseTimeNanos(this.time));
  }
}

/**
 * An entry decoded in place: offsets into the block it was read into. `line`, `time` and
 * `timeNanos` are made when first asked for, so a consumer that copies bytes straight from
 * `block` (the logs endpoint) allocates nothing per entry.
 */
export class BlockEntry implements LogEntry {
  #line: Buffer | undefined;
  #time: string | undefined;
  #nanos: bigint | undefined;
  constructor(
    readonly stream: LogStreamName,
    /** The block holding the decoded line and the time text. */
    readonly block: Buffer,
    readonly lineStart: number,
    readonly lineEnd: number,
    readonly timeStart: number,
    readonly timeEnd: number,
  ) {}
  get line(): Buffer {
    return (this.#line ??= this.block.subarray(this.lineStart, this.lineEnd));
  }
  get time(): string {
    return (this.#time ??= this.block.toString('latin1', this.timeStart, this.timeEnd));
  }
  get timeNanos(): bigint {
    return (this.#nanos ??= parseTimeNanos(this.time));
  }
}

/** Builds a LogEntry (tests, other sources); `timeNanos` comes from `time`. */
export function logEntry(stream: LogStreamName, line: Buffer | string, time: string, attrs?: Record<string, string>): LogEntry {
  return new Entry(stream, typeof line === 'string' ? Buffer.from(line) : line, time, attrs);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

const streamField = Buffer.from(',"stream":"');
const timeField = Buffer.from('","time":"');
const logField = Buffer.from('{"log":"');

/**
 * Unescapes the JSON string body `[p, end)` (from its first backslash `p` to its closing quote
 * `end`) over itself, and returns where the decoded bytes end, or -1 for a malformed escape.
 */
function unescapeInPlace(buf: Buffer, p: number, end: number): number {
  let w = p;
  while (p < end) {
    const c = buf[p]!;
    if (c !== BACKSLASH) {
      buf[w++] = c;
      p++;
      continue;
    }
    switch (buf[p + 1]) {
      case 0x6e: // n
        buf[w++] = 0x0a;
        break;
      case 0x74: // t
        buf[w++] = 0x09;
        break;
      case 0x72: // r
        buf[w++] = 0x0d;
        break;
      case 0x22: // "
        buf[w++] = 0x22;
        break;
      case 0x5c: // \
        buf[w++] = 0x5c;
        break;
      case 0x2f: // /
        buf[w++] = 0x2f;
        break;
      case 0x62: // b
        buf[w++] = 0x08;
        break;
      case 0x66: // f
        buf[w++] = 0x0c;
        break;
      case 0x75: {
        // u: four hex digits; a surrogate pair joins, a lone surrogate is U+FFFD (as Go does)
        let cp = hex4(buf, p + 2, end);
        if (cp < 0) return -1;
        p += 6;
        if (cp >= 0xd800 && cp < 0xe000) {
          const low = cp < 0xdc00 && buf[p] === BACKSLASH && buf[p + 1] === 0x75 ? hex4(buf, p + 2, end) : -1;
          if (low >= 0xdc00 && low < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            p += 6;
          } else {
            cp = 0xfffd;
          }
        }
        w = putUtf8(buf, w, cp);
        continue;
      }
      default:
        return -1;
    }
    p += 2;
  }
  return w;
}

function hex4(buf: Buffer, p: number, end: number): number {
  if (p + 4 > end) return -1;
  let v = 0;
  for (let i = p; i < p + 4; i++) {
    const c = buf[i]!;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

function putUtf8(buf: Buffer, w: number, cp: number): number {
  if (cp < 0x80) {
    buf[w++] = cp;
  } else if (cp < 0x800) {
    buf[w++] = 0xc0 | (cp >> 6);
    buf[w++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    buf[w++] = 0xe0 | (cp >> 12);
    buf[w++] = 0x80 | ((cp >> 6) & 0x3f);
    buf[w++] = 0x80 | (cp & 0x3f);
  } else {
    buf[w++] = 0xf0 | (cp >> 18);
    buf[w++] = 0x80 | ((cp >> 12) & 0x3f);
    buf[w++] = 0x80 | ((cp >> 6) & 0x3f);
    buf[w++] = 0x80 | (cp & 0x3f);
  }
  return w;
}

function literalAt(buf: Buffer, p: number, literal: Buffer): boolean {
  for (let i = 0; i < literal.length; i++) if (buf[p + i] !== literal[i]) return false;
  return true;
}

/** Set by `decodeAt`: where the next line starts. */
let nextLine = 0;

/**
 * The tight decoder. Decodes the entry starting at `start`; with `exact`, the line is
 * `[start, limit)`, otherwise it runs to the next newline before `limit` (which it finds
 * itself, as the shape tells where the line ends). Sets `nextLine`. Lines of another shape go
 * to JSON.parse; lines that are not entries give undefined.
 */
function decodeAt(buf: Buffer, start: number, limit: number, exact: boolean): LogEntry | undefined {
  tight: {
    if (limit - start <= logField.length || !literalAt(buf, start, logField)) break tight;
    const logStart = start + logField.length;
    // Find the end of the log string without changing anything yet.
    let p = logStart;
    let firstEscape = -1;
    for (;;) {
      if (p >= limit) break tight;
      const c = buf[p]!;
      if (c > BACKSLASH) {
        p++; // most text: one compare
      } else if (c === QUOTE) {
        break;
      } else if (c === BACKSLASH) {
        if (firstEscape < 0) firstEscape = p;
        p += 2;
      } else if (c === NEWLINE) {
        break tight; // a raw newline cannot be inside a JSON string: a torn line
      } else {
        p++;
      }
    }
    const closeQuote = p;
    const s = closeQuote + 1 + streamField.length;
    let stream: LogStreamName | undefined;
    if (literalAt(buf, closeQuote + 1, streamField) && buf[s] === 0x73 && buf[s + 1] === 0x74 && buf[s + 2] === 0x64) {
      if (buf[s + 3] === 0x6f && buf[s + 4] === 0x75 && buf[s + 5] === 0x74) stream = 'stdout';
      else if (buf[s + 3] === 0x65 && buf[s + 4] === 0x72 && buf[s + 5] === 0x72) stream = 'stderr';
    }
    const t = s + 6;
    if (stream === undefined || !literalAt(buf, t, timeField)) break tight;
    const timeStart = t + timeField.length;
    let q = timeStart;
    while (q < limit && buf[q] !== QUOTE && buf[q] !== NEWLINE) q++;
    // `"}` ends the line; anything else after the time (attrs, spaces) is another shape.
    if (buf[q] !== QUOTE || buf[q + 1] !== 0x7d) break tight;
    const lineEnd = q + 2;
    if (exact ? lineEnd !== limit : lineEnd < limit && buf[lineEnd] !== NEWLINE) break tight;
    let logEnd = closeQuote;
    if (firstEscape >= 0) {
      logEnd = unescapeInPlace(buf, firstEscape, closeQuote);
      if (logEnd < 0) {
        nextLine = lineEnd + 1;
        return undefined; // a malformed escape: JSON.parse would refuse it too
      }
    }
    nextLine = lineEnd + 1;
    return new BlockEntry(stream, buf, logStart, logEnd, timeStart, q);
  }
  let nl = exact ? limit : buf.indexOf(NEWLINE, start);
  if (nl < 0 || nl > limit) nl = limit;
  nextLine = nl + 1;
  return parseWithJson(buf.toString('utf8', start, nl));
}

/**
 * Decodes the line `[start, end)` (without its newline). Unescapes in place: `buf` is changed
 * and the entry's `line` is a view of it. Returns undefined for a line that is not a log entry.
 */
export function decodeLine(buf: Buffer, start: number, end: number): LogEntry | undefined {
  return decodeAt(buf, start, end, true);
}

/** Decodes a line the slow, general way; undefined when it is not a log entry. */
export function parseWithJson(text: string): LogEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { log, stream, time, attrs } = value as Record<string, unknown>;
  if (typeof log !== 'string' || typeof time !== 'string') return undefined;
  const name: LogStreamName = stream === 'stderr' ? 'stderr' : 'stdout';
  let attributes: Record<string, string> | undefined;
  if (typeof attrs === 'object' && attrs !== null) {
    attributes = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = String(v);
  }
  return new Entry(name, Buffer.from(log, 'utf8'), time, attributes);
}

/** Filters applied while decoding; `until` stops the scan. */
export interface LineFilter {
  since?: bigint;
  until?: bigint;
}

/** Result of `decodeLines`: entries kept, and whether an entry after `until` was met. */
export interface DecodeResult {
  entries: LogEntry[];
  pastUntil: boolean;
}

/**
 * Decodes every complete line of `buf[start, end)` (`end` just after a newline). Lines that are
 * not entries (corrupt, a torn write left by a crash) are skipped. `buf` is changed in place.
 */
export function decodeLines(buf: Buffer, start: number, end: number, filter: LineFilter = {}): DecodeResult {
  const entries: LogEntry[] = [];
  const { since, until } = filter;
  let p = start;
  while (p < end) {
    if (buf[p] === NEWLINE) {
      p++; // an empty line
      continue;
    }
    const entry = decodeAt(buf, p, end, false);
    p = nextLine;
    if (entry === undefined) continue;
    if (since !== undefined && entry.timeNanos < since) continue;
    if (until !== undefined && entry.timeNanos > until) return { entries, pastUntil: true };
    entries.push(entry);
  }
  return { entries, pastUntil: false };
}

// ---- times ----

let cachedPrefix = '';
let cachedZone = '';
let cachedBase = 0n;

/**
 * Nanoseconds since the epoch of an RFC 3339 time (`2026-12-02T01:02:03.123456789Z`, any
 * number of fraction digits, `Z` or `±hh:mm`). Returns 0n for text that is not such a time.
 * Entries of the same second share the costly part (a one-entry cache).
 */
export function parseTimeNanos(time: string): bigint {
  if (time.length < 20) return 0n;
  let i = 19;
  let frac = 0;
  let digits = 0;
  if (time.charCodeAt(19) === 0x2e) {
    i = 20;
    for (; i < time.length; i++) {
      const c = time.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) break;
      if (digits < 9) {
        frac = frac * 10 + c;
        digits++;
      }
    }
  }
  for (let d = digits; d < 9; d++) frac *= 10;
  const zone = time.slice(i);
  if (!(time.startsWith(cachedPrefix) && zone === cachedZone && cachedPrefix.length === 19)) {
    const base = secondsOf(time, zone);
    if (base === undefined) return 0n;
    cachedPrefix = time.slice(0, 19);
    cachedZone = zone;
    cachedBase = base;
  }
  return cachedBase + BigInt(frac);
}

const timePrefix = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const zonePattern = /^(?:Z|([+-])(\d{2}):(\d{2}))$/;

function secondsOf(time: string, zone: string): bigint | undefined {
  const m = timePrefix.exec(time.slice(0, 19));
  const z = zonePattern.exec(zone);
  if (!m || !z) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  let ms = date.getTime();
  if (z[1] !== undefined) ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  return BigInt(ms) * 1_000_000n;
}

/**
 * The time as `docker logs -t` prints it: Go's RFC3339NanoFixed, nine fraction digits, `Z`
 * for a zero offset, the original offset otherwise (Go formats in the parsed location).
 */
export function fixedNanoTime(time: string): string {
  if (time.length < 20) return time;
  let i = 19;
  let frac = '';
  if (time.charCodeAt(19) === 0x2e) {
    i = 20;
    while (i < time.length && time.charCodeAt(i) >= 0x30 && time.charCodeAt(i) <= 0x39) i++;
    frac = time.slice(20, Math.min(i, 29));
  }
  let zone = time.slice(i);
  if (zone === '+00:00' || zone === '-00:00') zone = 'Z';
  return `${time.slice(0, 19)}.${frac.padEnd(9, '0')}${zone}`;
}

/** Unix time as Docker's API gives it (`1700000000`, `1700000000.123456789`) in nanoseconds. */
export function unixTimeToNanos(value: string): bigint | undefined {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value.trim());
  if (!m) return undefined;
  const seconds = BigInt(m[1]!);
  const nanos = BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  return seconds * 1_000_000_000n + (seconds < 0n ? -nanos : nanos);
}
