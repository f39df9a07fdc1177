import { errorOf, type MobyError } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import { imageIdPrefix, matchIdPrefix } from '../image/image-id.js';
import {
  familiarString, parseAnyReference, parseReference, referenceName, referenceString, withDefaultTag, type Reference,
} from '../image/reference.js';
import type { ImageRecords } from './image-records.js';

/** Docker's `ErrImageDoesNotExist`: `No such image: busybox:latest`. */
export function noSuchImage(shown: string): MobyError {
  return errorOf('not-found', `No such image: ${shown}`);
}

/**
 * The image a `{name}` path segment names, as moby's `GetImage` finds it: a full ID or
 * digest (`sha256:<hex>`, bare 64 hex digits) names an image by ID; otherwise the
 * normalised name (`latest` by default) is looked up, then the string as an ID prefix.
 * An ambiguous prefix names nothing, as in Docker. Malformed input is `invalid-argument`.
 */
export function resolveImage(records: ImageRecords, s: string): Digest {
  const any = parseAnyReference(s);
  if (any.kind === 'digest') {
    if (records.get(any.digest)) return any.digest as Digest;
    throw noSuchImage(any.digest);
  }
  const named = withDefaultTag(any.ref);
  const byName = records.idOfName(referenceString(named));
  if (byName !== undefined) return byName;
  const prefix = imageIdPrefix(s);
  if (prefix !== undefined) {
    const found = matchIdPrefix(prefix, records.all().map((r) => r.id));
    if (found.length === 1) return found[0]!;
  }
  throw noSuchImage(familiarString(named));
}

/** Whether `s` is a prefix of the ID (moby's `isImageIDPrefix`): rmi by ID, not by name. */
export function isIdPrefix(id: string, s: string): boolean {
  return id.startsWith(s) || id.slice(id.indexOf(':') + 1).startsWith(s);
}

/** A stored name (`docker.io/library/busybox:latest`) parsed back. */
export function storedName(name: string): Reference {
  return parseReference(name);
}

/** `busybox:latest`, `user/x@sha256:…`. */
export function familiarOf(name: string): string {
  return familiarString(storedName(name));
}

/** A name with a tag (`RepoTags`) rather than a digest (`RepoDigests`). */
export function isTagged(name: string): boolean {
  return storedName(name).digest === undefined;
}

/** The repository of a stored name: `docker.io/library/busybox`. */
export function repositoryOf(name: string): string {
  return referenceName(storedName(name));
}
