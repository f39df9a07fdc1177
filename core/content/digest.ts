import { createHash, type Hash } from 'node:crypto';
import { errorOf } from '../../lib/errdefs/index.js';

/**
 * A content digest: `sha256:` followed by 64 lower-case hex digits.
 *
 * This file is the one place that knows the digest format and the hash
 * algorithm; everything else parses through `parseDigest` and hashes through
 * `newDigester`. Only sha256 is accepted (it is what registries and OCI
 * images use); any other algorithm or spelling is `invalid-argument`.
 */
export type Digest = `sha256:${string}`;

const digestPattern = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && digestPattern.test(value);
}

/** Validates `value` as a digest; throws `invalid-argument` naming the value otherwise. */
export function parseDigest(value: string): Digest {
  if (isDigest(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : String(value);
  throw errorOf('invalid-argument', `invalid digest ${shown}: expected sha256:<64 lower-case hex digits>`);
}

/** The hex part of a digest, which names the blob on disk. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** The digest of bytes already in memory. */
export function digestOf(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** An incremental digester; `copy()` lets a caller peek at the digest so far. */
export interface Digester {
  update(chunk: Uint8Array): void;
  digest(): Digest;
}

export function newDigester(): Digester {
  return wrapHash(createHash('sha256'));
}

function wrapHash(hash: Hash): Digester {
  return {
    update: (chunk) => void hash.update(chunk),
    // Node's Hash is single-use after digest(); hashing a copy keeps the writer going.
    digest: () => `sha256:${hash.copy().digest('hex')}`,
  };
}
