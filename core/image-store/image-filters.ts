import { errorOf } from '../../lib/errdefs/index.js';
import { parseGoDuration } from '../image/change-values.js';
import { familiarName, familiarString } from '../image/reference.js';
import type { Filters } from './image-store.js';
import { pathMatch } from './path-match.js';
import { storedName } from './resolve-image.js';

/**
 * Docker's filter semantics for images (moby `filters.Args`): which keys an endpoint
 * accepts, booleans, label lists and time bounds, with Docker's error messages.
 */

/** `invalid filter 'key'` or `invalid filter 'key=[v1 v2]'`, as moby words it. */
export function invalidFilter(key: string, values?: string[]) {
  return errorOf('invalid-argument', `invalid filter '${key}${values === undefined ? '' : `=[${values.join(' ')}]`}'`);
}

export function checkFilters(filters: Filters, accepted: readonly string[]): void {
  const unknown = Object.keys(filters).find((key) => !accepted.includes(key));
  if (unknown !== undefined) throw invalidFilter(unknown);
}

export function has(filters: Filters, key: string): boolean {
  return Object.hasOwn(filters, key);
}

export function valuesOf(filters: Filters, key: string): string[] {
  return has(filters, key) ? filters[key]! : [];
}

/** moby's `GetBoolOrDefault`: `1`/`true` or `0`/`false`, anything else refused. */
export function boolFilter(filters: Filters, key: string, fallback: boolean): boolean {
  if (!has(filters, key)) return fallback;
  const values = valuesOf(filters, key);
  if (values.length === 0) throw invalidFilter(key);
  const isFalse = values.includes('0') || values.includes('false');
  const isTrue = values.includes('1') || values.includes('true');
  if (isFalse === isTrue) throw invalidFilter(key, values);
  return isTrue;
}

/** The `dangling` of `GET /images/json`: undefined when absent; only `true`/`false` accepted. */
export function danglingFilter(filters: Filters): boolean | undefined {
  if (!has(filters, 'dangling')) return undefined;
  const values = valuesOf(filters, 'dangling');
  if (values.length === 0 || values.includes('true')) return true;
  if (values.includes('false')) return false;
  throw invalidFilter('dangling', values);
}

/** moby's `MatchKVList`: every `key` or `key=value` given must be in `labels`. */
export function matchKvList(values: readonly string[], labels: Record<string, string> | null): boolean {
  if (values.length === 0) return true;
  if (!labels || Object.keys(labels).length === 0) return false;
  return values.every((value) => {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (!Object.hasOwn(labels, key)) return false;
    return eq < 0 || labels[key] === value.slice(eq + 1);
  });
}

/** moby's `FamiliarMatch`: the pattern against the familiar string, then the familiar name. */
export function referenceMatches(patterns: readonly string[], name: string): boolean {
  const ref = storedName(name);
  return patterns.some((p) => pathMatch(p, familiarString(ref)) || pathMatch(p, familiarName(ref)));
}

/**
 * A time bound as moby's `GetTimestamp` reads it, in milliseconds: a Go duration before
 * `now` (`10m`, `1h30m`), unix seconds (`1700000000`, `1700000000.5`), or an RFC 3339
 * date or time (`2024-01-02`, `2024-01-02T15:04:05Z`).
 */
export function timestampFilter(value: string, now: Date): number {
  if (value !== '0') {
    try {
      return now.getTime() - parseGoDuration(value) / 1e6;
    } catch {
      // not a duration
    }
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (value.includes('-')) {
    const ms = Date.parse(/^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw errorOf('invalid-argument', `failed to parse value as time or duration: ${JSON.stringify(value)}`);
}
