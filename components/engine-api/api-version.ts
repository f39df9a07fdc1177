/**
 * Engine API version negotiation, as moby's version middleware does it.
 *
 * A request names its version in a `/vX.Y` path prefix; no prefix means `apiVersion`.
 * Versions compare numerically part by part ("1.9" < "1.24"), missing parts read as 0.
 */
import { errorOf } from '../../lib/errdefs/errdefs.js';

/** The version we advertise (`Api-Version`) and serve for unversioned paths. */
export const apiVersion = '1.47';
/** The oldest version we accept; below it requests get a plain-text 400. */
export const minApiVersion = '1.24';

/** -1, 0 or 1 as `a` is older than, equal to or newer than `b` (moby `versions.compare`). */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = atoi(as[i]);
    const y = atoi(bs[i]);
    if (x !== y) return x > y ? 1 : -1;
  }
  return 0;
}

export function versionLessThan(a: string, b: string): boolean {
  return compareVersions(a, b) < 0;
}

export function versionAtLeast(a: string, b: string): boolean {
  return compareVersions(a, b) >= 0;
}

/** Throws `invalid-argument` with Docker's exact wording when `version` is outside our range. */
export function checkApiVersion(version: string): void {
  if (versionLessThan(version, minApiVersion)) {
    throw errorOf(
      'invalid-argument',
      `client version ${version} is too old. Minimum supported API version is ${minApiVersion}, ` +
        'please upgrade your client to a newer version',
    );
  }
  if (compareVersions(version, apiVersion) > 0) {
    throw errorOf('invalid-argument', `client version ${version} is too new. Maximum supported API version is ${apiVersion}`);
  }
}

/** Headers every engine API response carries. */
export function apiHeaders(serverVersion: string): Record<string, string> {
  return {
    'Api-Version': apiVersion,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Moby-Core/${serverVersion} (linux)`,
  };
}

/** Go's `strconv.Atoi` as moby uses it: anything unparsable counts as 0. */
function atoi(part: string | undefined): number {
  if (part === undefined || !/^[+-]?\d+$/.test(part)) return 0;
  return Number.parseInt(part, 10);
}
