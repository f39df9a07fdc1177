/**
 * The gRPC boundary: one table from error kinds to gRPC status codes, and its inverse.
 */
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { MobyError, kindOf, type ErrorKind } from './errdefs.js';

const kindToCode: Record<ErrorKind, Status> = {
  'invalid-argument': Status.INVALID_ARGUMENT,
  'not-found': Status.NOT_FOUND,
  'already-exists': Status.ALREADY_EXISTS,
  conflict: Status.ABORTED,
  'failed-precondition': Status.FAILED_PRECONDITION,
  'not-modified': Status.FAILED_PRECONDITION,
  unauthenticated: Status.UNAUTHENTICATED,
  'permission-denied': Status.PERMISSION_DENIED,
  unavailable: Status.UNAVAILABLE,
  'deadline-exceeded': Status.DEADLINE_EXCEEDED,
  cancelled: Status.CANCELLED,
  'not-implemented': Status.UNIMPLEMENTED,
  'data-loss': Status.DATA_LOSS,
  internal: Status.INTERNAL,
};

/** Kinds that share a gRPC code travel in this metadata key so they survive the round trip. */
const KIND_KEY = 'moby-error-kind';

const codeToKind = new Map<Status, ErrorKind>();
for (const [kind, code] of Object.entries(kindToCode) as [ErrorKind, Status][]) {
  if (!codeToKind.has(code)) codeToKind.set(code, kind);
}
codeToKind.set(Status.OUT_OF_RANGE, 'invalid-argument');
codeToKind.set(Status.RESOURCE_EXHAUSTED, 'unavailable');
codeToKind.set(Status.UNKNOWN, 'internal');

/** Any thrown value as the error a grpc-js handler passes to its callback. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const kind = kindOf(err);
  const metadata = new Metadata();
  metadata.set(KIND_KEY, kind);
  return {
    code: kindToCode[kind],
    details: err instanceof Error ? err.message : String(err),
    metadata,
  };
}

/** A grpc-js client error as a `MobyError` with the kind the server threw. */
export function fromGrpcError(err: unknown): MobyError {
  if (err instanceof MobyError) return err;
  const e = err as Partial<ServiceError>;
  if (typeof e?.code !== 'number') {
    return new MobyError('internal', err instanceof Error ? err.message : String(err), { cause: err });
  }
  const carried = e.metadata?.get(KIND_KEY)[0];
  const kind = (typeof carried === 'string' && isErrorKind(carried) ? carried : codeToKind.get(e.code)) ?? 'internal';
  const message = e.details || e.message || 'unknown error';
  return new MobyError(kind, message, { cause: err });
}

function isErrorKind(s: string): s is ErrorKind {
  return Object.hasOwn(kindToCode, s);
}
