import { errorOf } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';

/**
 * Image IDs: the sha256 digest of an image's config bytes. Docker accepts an
 * ID in full (`sha256:<64 hex>` or the bare 64 hex digits) or any prefix of
 * its hex digits (`668ffe`, `sha256:668ffe`), and prints 12 of them.
 */

/** The full ID `s` names (`sha256:<hex>` or the bare hex), or undefined. */
export function fullImageId(s: string): Digest | undefined {
  if (/^[a-f0-9]{64}$/.test(s)) return `sha256:${s}`;
  if (/^sha256:[a-f0-9]{64}$/.test(s)) return s as Digest;
  return undefined;
}

/**
 * The hex prefix `s` could be an ID prefix of (`668ffe`, `sha256:668ffe`):
 * 1 to 64 lower-case hex digits. Undefined when `s` cannot be an ID prefix.
 * Docker tries names first: a short hex string that is also a valid name
 * (`abc`) is looked up as a name and only then as an ID prefix.
 */
export function imageIdPrefix(s: string): string | undefined {
  const m = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(s);
  return m ? m[1] : undefined;
}

/**
 * The IDs among `ids` whose hex starts with `prefix` (from `imageIdPrefix`).
 * Callers treat more than one as "not found", as Docker does for an
 * ambiguous prefix.
 */
export function matchIdPrefix(prefix: string, ids: Iterable<string>): Digest[] {
  const out: Digest[] = [];
  for (const id of ids) {
    const hex = id.startsWith('sha256:') ? id.slice(7) : id;
    if (hex.startsWith(prefix)) out.push(`sha256:${hex}`);
  }
  return out;
}

/** The 12-hex-digit short form Docker prints: `668ffeff4aa3`. */
export function shortId(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  if (!/^[a-f0-9]+$/.test(hex)) throw errorOf('invalid-argument', `${JSON.stringify(id)} is not an image ID`);
  return hex.slice(0, 12);
}
