import { createHash } from 'node:crypto';
import { errorOf } from '../../lib/errdefs/index.js';

const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * The OCI chain ID of a stack of layers, given their diff IDs from the bottom
 * up: ChainID(L0) = DiffID(L0), ChainID(L0…Ln) = sha256(ChainID(L0…Ln-1) + " " + DiffID(Ln)).
 * Committed snapshots are named by it, so equal stacks share snapshots.
 */
export function chainId(diffIds: readonly string[]): string {
  if (diffIds.length === 0) throw errorOf('invalid-argument', 'chain id: no diff ids');
  for (const id of diffIds) {
    if (!digestPattern.test(id)) throw errorOf('invalid-argument', `chain id: ${JSON.stringify(id)} is not a digest`);
  }
  return diffIds.reduce((chain, diffId) => `sha256:${createHash('sha256').update(`${chain} ${diffId}`).digest('hex')}`);
}

/** The chain IDs of every prefix of the stack: element i names layers 0…i. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) out.push(out.length === 0 ? chainId([diffId]) : chainId([out[out.length - 1]!, diffId]));
  return out;
}
