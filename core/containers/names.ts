import { randomInt } from 'node:crypto';
import { errorOf } from '../../lib/errdefs/index.js';
import { shortId } from './container-record.js';

/** Docker's allowed characters, as its error message quotes them. */
export const VALID_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Checks a user-given name and returns it with its leading '/'. Docker strips
 * one '/', then needs at least two characters matching `VALID_NAME_CHARS`.
 */
export function validateContainerName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!VALID_NAME.test(bare)) {
    throw errorOf('invalid-argument', `Invalid container name (${name}), only ${VALID_NAME_CHARS} are allowed`);
  }
  return `/${bare}`;
}

/** `/x` for `x` and `/x`. */
export function canonicalName(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** Docker's conflict text for a name held by another container. */
export function nameConflict(name: string, holderId: string) {
  return errorOf(
    'conflict',
    `Conflict. The container name "${canonicalName(name)}" is already in use by container "${holderId}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}

// Our own lists (not Docker's): temperaments and qualities …
export const NAME_ADJECTIVES: readonly string[] = [
  'agile', 'amber', 'ardent', 'balmy', 'blithe', 'bold', 'brave', 'breezy', 'bright', 'brisk',
  'calm', 'candid', 'cheery', 'civil', 'clever', 'cosmic', 'crisp', 'curious', 'daring', 'deft',
  'eager', 'earnest', 'fearless', 'fleet', 'fond', 'gentle', 'gleaming', 'glad', 'graceful', 'hardy',
  'hearty', 'humble', 'jolly', 'keen', 'kind', 'lively', 'loyal', 'lucid', 'lunar', 'merry',
  'mellow', 'modest', 'nimble', 'noble', 'patient', 'placid', 'plucky', 'polite', 'quiet', 'radiant',
  'rapid', 'serene', 'sincere', 'snug', 'spry', 'steady', 'sunny', 'swift', 'tidy', 'tranquil',
  'upbeat', 'valiant', 'vivid', 'witty', 'zesty',
];

// … and scientists and engineers.
export const NAME_SURNAMES: readonly string[] = [
  'agnesi', 'alhazen', 'ampere', 'archimedes', 'avogadro', 'babbage', 'banneker', 'bardeen', 'bernoulli', 'bohr',
  'boltzmann', 'boole', 'brahe', 'carnot', 'carson', 'cavendish', 'chandrasekhar', 'clausius', 'copernicus', 'coulomb',
  'crick', 'curie', 'darwin', 'dijkstra', 'dirac', 'doppler', 'edison', 'einstein', 'euclid', 'euler',
  'faraday', 'fermat', 'fermi', 'feynman', 'fibonacci', 'fourier', 'franklin', 'galileo', 'galois', 'gauss',
  'germain', 'gibbs', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hertz', 'hilbert', 'hodgkin', 'hooke',
  'hopper', 'hubble', 'huygens', 'jackson', 'johnson', 'joule', 'kelvin', 'kepler', 'knuth', 'kovalevskaya',
  'lamarr', 'laplace', 'lavoisier', 'leavitt', 'leibniz', 'lovelace', 'maxwell', 'meitner', 'mendel', 'mendeleev',
  'michelson', 'mirzakhani', 'noether', 'nobel', 'ohm', 'pascal', 'pasteur', 'pauli', 'planck', 'poincare',
  'ramanujan', 'riemann', 'rutherford', 'sagan', 'salk', 'schrodinger', 'shannon', 'somerville', 'tesla', 'thompson',
  'turing', 'vaughan', 'volta', 'watt', 'wiener', 'wilkes', 'wright', 'wu', 'yalow', 'zuse',
];

/** How many random names are tried before falling back to the short id, as Docker does. */
export const NAME_ATTEMPTS = 6;

/**
 * One candidate name (without '/'): `adjective_surname`, with a random digit
 * appended from the second attempt on (`retry > 0`), as Docker's generator.
 */
export function randomName(retry: number, random: (max: number) => number = randomInt): string {
  const name = `${NAME_ADJECTIVES[random(NAME_ADJECTIVES.length)]}_${NAME_SURNAMES[random(NAME_SURNAMES.length)]}`;
  return retry > 0 ? `${name}${random(10)}` : name;
}

/**
 * Picks and reserves a generated name for container `id`: up to
 * `NAME_ATTEMPTS` random names, each offered to `tryReserve` (true when it was
 * free and is now held), then `/<short id>`. Returns the name with its '/'.
 */
export function generateName(
  id: string,
  tryReserve: (name: string) => boolean,
  random: (max: number) => number = randomInt,
): string {
  for (let retry = 0; retry < NAME_ATTEMPTS; retry++) {
    const name = `/${randomName(retry, random)}`;
    if (tryReserve(name)) return name;
  }
  const fallback = `/${shortId(id)}`;
  if (!tryReserve(fallback)) throw errorOf('conflict', `Conflict. The container name "${fallback}" is already in use`);
  return fallback;
}
