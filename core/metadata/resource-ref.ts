import { errorOf } from '../../lib/errdefs/index.js';
import { parseDigest } from '../content/index.js';

/**
 * A node in the reference graph garbage collection walks: `content` (id is a
 * digest), `snapshot` (id is a snapshot key), `image` (id is a name), `lease`,
 * or any other kind a later component records (`container`, …).
 */
export interface ResourceRef {
  kind: string;
  id: string;
}

const kindPattern = /^[a-z][a-z0-9-]*$/;

/** Throws `invalid-argument` for a malformed kind, an empty id, or a content id that is not a digest. */
export function validateResourceRef(ref: ResourceRef): ResourceRef {
  if (typeof ref?.kind !== 'string' || !kindPattern.test(ref.kind)) {
    throw errorOf('invalid-argument', `invalid resource kind ${JSON.stringify(ref?.kind)}`);
  }
  if (typeof ref.id !== 'string' || ref.id === '') {
    throw errorOf('invalid-argument', `invalid ${ref.kind} id ${JSON.stringify(ref.id)}`);
  }
  if (ref.kind === 'content') parseDigest(ref.id);
  return { kind: ref.kind, id: ref.id };
}

/** `kind:id`, unambiguous because kinds hold no colon. */
export function resourceKey(ref: ResourceRef): string {
  return `${ref.kind}:${ref.id}`;
}
