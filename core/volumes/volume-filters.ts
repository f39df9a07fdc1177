import { errorOf } from '../../lib/errdefs/index.js';
import type { VolumeFilters } from './volume-service.js';
import { ANONYMOUS_LABEL } from './volume-name.js';

/** What a filter looks at. */
export interface FilterSubject {
  Name: string;
  Driver: string;
  Labels: Record<string, string> | null;
  /** Has holders (or is mounted). */
  inUse: boolean;
}

export type VolumePredicate = (v: FilterSubject) => boolean;

const listKeys = new Set(['dangling', 'name', 'driver', 'label']);
const pruneKeys = new Set(['label', 'label!', 'all']);

/** `docker volume ls` filters: `name` (regexp, as Docker), `driver`, `label` (`k` or `k=v`, all must match), `dangling`. */
export function listPredicate(filters: VolumeFilters = {}): VolumePredicate {
  validateKeys(filters, listKeys);
  const names = filters['name'] ?? [];
  const drivers = filters['driver'] ?? [];
  const dangling = 'dangling' in filters ? parseDangling(filters['dangling']!) : undefined;
  const labels = labelPredicate(filters);
  return (v) =>
    (names.length === 0 || names.some((n) => nameMatches(n, v.Name))) &&
    (drivers.length === 0 || drivers.includes(v.Driver)) &&
    labels(v) &&
    (dangling === undefined || dangling === !v.inUse);
}

/**
 * `docker volume prune` filters: `label`, `label!`, `all`. Without `all=true` only anonymous
 * volumes are candidates (API ≥ 1.42). The caller also keeps to unused local volumes.
 */
export function prunePredicate(filters: VolumeFilters = {}): VolumePredicate {
  validateKeys(filters, pruneKeys);
  const all = filters['all'] ?? [];
  if (all.length > 1) throw errorOf('invalid-argument', `invalid filter 'all=[${all.join(' ')}]': only one value is expected`);
  const everything = all.length === 1 && parseGoBool('all', all[0]!);
  const labels = labelPredicate(everything ? filters : { ...filters, label: [...(filters['label'] ?? []), ANONYMOUS_LABEL] });
  return (v) => !v.inUse && labels(v);
}

function validateKeys(filters: VolumeFilters, accepted: Set<string>): void {
  for (const key of Object.keys(filters)) if (!accepted.has(key)) throw errorOf('invalid-argument', `invalid filter '${key}'`);
}

/** Docker's `MatchKVList` for `label`, and its negation for `label!`. */
function labelPredicate(filters: VolumeFilters): VolumePredicate {
  const want = filters['label'] ?? [];
  const refuse = filters['label!'] ?? [];
  return (v) => matchesAll(want, v.Labels) && (refuse.length === 0 || !matchesAll(refuse, v.Labels));
}

function matchesAll(pairs: string[], labels: Record<string, string> | null): boolean {
  return pairs.every((pair) => {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (labels === null || !Object.hasOwn(labels, key)) return false;
    return eq < 0 || labels[key] === pair.slice(eq + 1);
  });
}

/** Docker's `filters.Match`: equal, or the value as an unanchored regular expression matches. */
function nameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return false;
  }
}

function parseDangling(values: string[]): boolean {
  if (values.length === 0) throw errorOf('invalid-argument', "invalid filter 'dangling'");
  const isTrue = values.includes('true') || values.includes('1');
  const isFalse = values.includes('false') || values.includes('0');
  if (isTrue === isFalse) throw errorOf('invalid-argument', `invalid filter 'dangling=${values.join(',')}'`);
  return isTrue;
}

function parseGoBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw errorOf('invalid-argument', `invalid filter '${key}': strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}
