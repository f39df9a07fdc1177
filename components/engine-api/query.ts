/** Query-string values read the way moby's `httputils` reads them. */

/**
 * moby `BoolValue`: false only for a missing key or "", "0", "no", "false", "none"
 * (trimmed, any case); anything else, `1`, `true` and docker-py's `True` included, is true.
 */
export function boolValue(query: URLSearchParams, key: string): boolean {
  const value = (query.get(key) ?? '').trim().toLowerCase();
  return !(value === '' || value === '0' || value === 'no' || value === 'false' || value === 'none');
}

/** moby `BoolValueOrDefault`: `fallback` when the key is absent or empty, else `boolValue`. */
export function boolValueOrDefault(query: URLSearchParams, key: string, fallback: boolean): boolean {
  return (query.get(key) ?? '') === '' ? fallback : boolValue(query, key);
}
