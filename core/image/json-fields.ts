import { errorOf } from '../../lib/errdefs/index.js';
import { isDigest, type Digest } from '../content/index.js';

/**
 * Field checks for documents read from outside (manifests, configs, archive
 * indexes). Each failure is `invalid-argument` naming the document and the
 * JSON path of the field, so a user can find the culprit in the file.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function invalid(doc: string, path: string, why: string) {
  return errorOf('invalid-argument', `invalid ${doc}: ${path === '' ? '' : `${path}: `}${why}`);
}

/** Parses JSON bytes; anything but valid JSON is `invalid-argument`. */
export function parseJson(bytes: Uint8Array | string, doc: string): Json {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw errorOf('invalid-argument', `invalid ${doc}: not valid JSON: ${(err as Error).message}`, err);
  }
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: Json | undefined, doc: string, path: string): JsonObject {
  if (!isObject(value)) throw invalid(doc, path, `expected an object, got ${kindOf(value)}`);
  return value;
}

export function stringAt(value: Json | undefined, doc: string, path: string): string {
  if (typeof value !== 'string') throw invalid(doc, path, `expected a string, got ${kindOf(value)}`);
  return value;
}

export function optionalString(value: Json | undefined, doc: string, path: string): string | undefined {
  return value === undefined || value === null ? undefined : stringAt(value, doc, path);
}

export function arrayAt(value: Json | undefined, doc: string, path: string): Json[] {
  if (!Array.isArray(value)) throw invalid(doc, path, `expected an array, got ${kindOf(value)}`);
  return value;
}

export function stringArrayAt(value: Json | undefined, doc: string, path: string): string[] {
  return arrayAt(value, doc, path).map((item, i) => stringAt(item, doc, `${path}[${i}]`));
}

/** A string-to-string map (annotations, labels). */
export function stringMapAt(value: Json | undefined, doc: string, path: string): Record<string, string> {
  const obj = objectAt(value, doc, path);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(obj)) out[key] = stringAt(item, doc, `${path}.${key}`);
  return out;
}

/** Sizes are non-negative integers a JavaScript number holds exactly. */
export function sizeAt(value: Json | undefined, doc: string, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(doc, path, `expected a non-negative integer size, got ${JSON.stringify(value ?? null)}`);
  }
  return value;
}

/** Only sha256 is stored; other algorithms are refused as unsupported, not as malformed. */
export function digestAt(value: Json | undefined, doc: string, path: string): Digest {
  const text = stringAt(value, doc, path);
  if (isDigest(text)) return text;
  if (/^sha(384|512):/.test(text)) throw invalid(doc, path, `unsupported digest algorithm in ${JSON.stringify(text)}`);
  throw invalid(doc, path, `${JSON.stringify(text.slice(0, 100))} is not a sha256 digest`);
}

function kindOf(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
