import { errorOf, type MobyError } from '../errdefs/index.js';

/** Every manifest refusal: `invalid-argument`, prefixed by the manifest's source. */
export function invalid(source: string, message: string): MobyError {
  return errorOf('invalid-argument', `${source}: ${message}`);
}
