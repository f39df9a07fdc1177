import { randomBytes } from 'node:crypto';
import { errorOf } from '../../lib/errdefs/index.js';

/** The label Docker puts on a volume created without a name (`volume/service.AnonymousLabel`). */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** Docker's `names.RestrictedNameChars`, as it appears in its error message. */
export const RESTRICTED_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's local-driver name rule; the message is Docker's, without the `create <name>: ` prefix. */
export function localNameError(name: string): string | undefined {
  if (name.length === 1) return 'volume name is too short, names should be at least two alphanumeric characters';
  if (!namePattern.test(name)) {
    return `${JSON.stringify(name)} includes invalid characters for a local volume name, only "${RESTRICTED_NAME_CHARS}" are allowed. If you intended to pass a host directory, use absolute path`;
  }
  return undefined;
}

/** Throws `invalid-argument` `create <name>: …` when `name` breaks the local-driver rule. */
export function validateLocalVolumeName(name: string): void {
  const message = localNameError(name);
  if (message !== undefined) throw errorOf('invalid-argument', `create ${name}: ${message}`);
}

/** A 64-hex random name, as Docker's `stringid.GenerateRandomID`. */
export function generateVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/** Docker's `CreatedAt`: RFC 3339 to the second, here always in UTC (`2026-12-02T14:00:00Z`). */
export function formatCreatedAt(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
