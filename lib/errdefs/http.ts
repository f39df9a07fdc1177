/**
 * The HTTP boundary: one table from error kinds to the status codes Docker clients expect
 * (moby's `httpstatus.FromError`).
 */
import { kindOf, type ErrorKind } from './errdefs.js';

const kindToStatus: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  'not-found': 404,
  'already-exists': 409,
  conflict: 409,
  'failed-precondition': 400,
  'not-modified': 304,
  unauthenticated: 401,
  'permission-denied': 403,
  unavailable: 503,
  'deadline-exceeded': 500,
  cancelled: 500,
  'not-implemented': 501,
  'data-loss': 500,
  internal: 500,
};

export function httpStatusOf(err: unknown): number {
  return kindToStatus[kindOf(err)];
}
