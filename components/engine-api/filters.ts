/**
 * The `filters` query parameter: a JSON map from filter name to a set of values, in the
 * current form `{"label":{"a=b":true}}` or the legacy one `{"label":["a=b"]}` (moby
 * `filters.FromJSON`). Both parse to the same `Filters`.
 */
import { errorOf } from '../../lib/errdefs/errdefs.js';

export class Filters {
  readonly #fields: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(fields: ReadonlyMap<string, ReadonlySet<string>> = new Map()) {
    this.#fields = fields;
  }

  /** The filter names present. */
  keys(): string[] {
    return [...this.#fields.keys()];
  }

  /** Whether the filter `key` was given at all. */
  has(key: string): boolean {
    return this.#fields.has(key);
  }

  /** The values given for `key`, [] when absent. */
  get(key: string): string[] {
    return [...(this.#fields.get(key) ?? [])];
  }

  /** True when `key` is absent or `source` is one of its values (moby `ExactMatch`). */
  exactMatch(key: string, source: string): boolean {
    const values = this.#fields.get(key);
    return values === undefined || values.size === 0 || values.has(source);
  }

  /** True when `key` is absent or one of its values equals or prefixes `source` (moby `FuzzyMatch`). */
  fuzzyMatch(key: string, source: string): boolean {
    if (this.exactMatch(key, source)) return true;
    return this.get(key).some((prefix) => source.startsWith(prefix));
  }

  /** As a plain record (name → values), the shape core libraries take. */
  toRecord(): Record<string, string[]> {
    return Object.fromEntries(this.keys().map((k) => [k, this.get(k)]));
  }

  /** Throws `invalid-argument` `invalid filter '<name>'` for the first name not in `accepted`. */
  validate(accepted: Iterable<string>): void {
    const allowed = new Set(accepted);
    const unknown = this.keys().find((key) => !allowed.has(key));
    if (unknown !== undefined) throw errorOf('invalid-argument', `invalid filter '${unknown}'`);
  }
}

/** Parses a `filters` parameter; null or "" is no filters. Malformed JSON is `invalid-argument`. */
export function parseFilters(raw: string | null | undefined): Filters {
  if (raw === null || raw === undefined || raw === '') return new Filters();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw errorOf('invalid-argument', `invalid filters: ${(err as Error).message}`, err);
  }
  if (parsed === null) return new Filters();
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw errorOf('invalid-argument', 'invalid filters: expected a JSON object');
  }
  const fields = new Map<string, Set<string>>();
  for (const [key, values] of Object.entries(parsed)) fields.set(key, valuesOf(key, values));
  return new Filters(fields);
}

function valuesOf(key: string, values: unknown): Set<string> {
  if (values === null) return new Set();
  if (Array.isArray(values) && values.every((v) => typeof v === 'string')) return new Set(values);
  if (typeof values === 'object' && !Array.isArray(values)) {
    const entries = Object.entries(values as Record<string, unknown>);
    if (entries.every(([, v]) => typeof v === 'boolean')) return new Set(entries.map(([v]) => v));
  }
  throw errorOf('invalid-argument', `invalid filters: filter '${key}' must map to {"value":true} or ["value"]`);
}
