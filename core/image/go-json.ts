import { errorOf } from '../../lib/errdefs/index.js';

/**
 * JSON as Go's `encoding/json` writes it, for documents whose bytes matter:
 * an image config's sha256 is the image ID, a manifest's is its digest, so a
 * config we create must serialise as Docker would for IDs to line up.
 *
 * The caller builds objects with keys in Go's struct field order (and
 * `omitempty` fields left out); this only fixes what `JSON.stringify` does
 * differently: Go escapes `<`, `>`, `&`, U+2028 and U+2029. Go maps are
 * written with sorted keys: build those with `sortedKeys`.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `goJson` followed by a newline, as Go's `json.Encoder.Encode` writes. */
export function goJsonLine(value: unknown): string {
  return `${goJson(value)}\n`;
}

/** A copy of a string-keyed map with keys in Go's (byte-wise) order. */
export function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(map).sort(compareBytes)) out[key] = map[key]!;
  return out;
}

/** Byte-wise comparison of UTF-8 strings (for ASCII, plain code-unit order). */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A time as Go's `time.Time` marshals it (RFC 3339 with nanoseconds, trailing
 * zeros trimmed): `2026-11-23T16:38:10.585Z`, `1970-01-01T00:00:00Z`.
 * A string is checked for that form and passed through, so nanosecond
 * timestamps read from a config survive.
 */
export function goTime(time: Date | string): string {
  if (typeof time === 'string') {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/.test(time) || Number.isNaN(Date.parse(time))) {
      throw errorOf('invalid-argument', `${JSON.stringify(time)} is not an RFC 3339 time`);
    }
    return time;
  }
  if (Number.isNaN(time.getTime())) throw errorOf('invalid-argument', 'invalid date');
  return time.toISOString().replace(/\.?0*Z$/, 'Z');
}
