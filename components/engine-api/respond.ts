/**
 * Writing engine API responses the way Go's net/http and moby write them, so clients that
 * compare bytes (or just headers) see what Docker sends:
 * - headers sorted by name (Go sorts them; Node keeps insertion order);
 * - JSON bodies end with `\n` and escape `<`, `>`, `&`, U+2028, U+2029 (Go `json.Encoder`);
 * - bodies up to 2048 bytes carry Content-Length, larger ones go chunked (Go's
 *   `bufferBeforeChunkingSize`);
 * - errors are `{"message":"…"}\n`, status from `lib/errdefs/http.ts`; 304 has no body.
 */
import type { ServerResponse } from 'node:http';
import { httpStatusOf } from '../../lib/errdefs/http.js';

/** Bodies longer than this go out `Transfer-Encoding: chunked`. */
export const maxContentLengthBody = 2048;

const goEscapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** `value` as Go's `json.Encoder` writes it: HTML-safe escapes and a trailing newline. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return `${text.replace(/[<>&\u2028\u2029]/g, (c) => goEscapes[c]!)}\n`;
}

/**
 * Writes the status line and headers: the ones already set on `res` plus `headers`, with
 * Go's canonical names (`Api-Version`), sorted by name as Go sends them.
 */
export function writeHead(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const merged = new Map<string, string | number | string[]>();
  for (const name of res.getHeaderNames()) {
    merged.set(canonicalHeaderName(name), res.getHeader(name)!);
    res.removeHeader(name);
  }
  for (const [name, value] of Object.entries(headers)) merged.set(canonicalHeaderName(name), value);
  const sorted = [...merged.keys()].sort();
  res.writeHead(status, Object.fromEntries(sorted.map((name) => [name, merged.get(name)!])));
}

/** Go's `CanonicalMIMEHeaderKey`: `api-version` → `Api-Version`. */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** Sends a whole body with Content-Length when it is small, chunked when it is not. */
export function writeBody(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const framing: Record<string, string> =
    bytes.length <= maxContentLengthBody
      ? { 'Content-Length': String(bytes.length) }
      : { 'Transfer-Encoding': 'chunked' };
  writeHead(res, status, { 'Content-Type': contentType, ...framing });
  res.end(bytes);
}

export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  writeBody(res, status, 'application/json', goJson(value));
}

/** A response without a body: 204 and 304 carry no length, anything else `Content-Length: 0`. */
export function writeEmpty(res: ServerResponse, status: number): void {
  writeHead(res, status, status === 204 || status === 304 ? {} : { 'Content-Length': '0' });
  res.end();
}

/**
 * An error as moby answers it: `{"message":…}` with the status of its kind. `plainText` gives
 * Go's `http.Error` form instead (text/plain, message and newline), used for clients older than
 * API 1.24 that cannot read JSON errors.
 */
export function writeError(res: ServerResponse, err: unknown, plainText = false): void {
  const status = httpStatusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === 304) {
    writeEmpty(res, 304);
  } else if (plainText) {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    writeBody(res, status, 'text/plain; charset=utf-8', `${message}\n`);
  } else {
    writeJson(res, status, { message });
  }
}
