/**
 * The one error vocabulary of Moby Core.
 *
 * Core code throws `MobyError` with a kind and a message that carries its own
 * context (`content sha256:…: not found`). Boundaries translate kinds once:
 * `grpc.ts` to and from gRPC status codes, `http.ts` to HTTP status codes.
 * A new kind is added only when a caller must tell it apart from the others.
 */
export const errorKinds = [
  'invalid-argument',
  'not-found',
  'already-exists',
  'conflict',
  'failed-precondition',
  'not-modified',
  'unauthenticated',
  'permission-denied',
  'unavailable',
  'deadline-exceeded',
  'cancelled',
  'not-implemented',
  'data-loss',
  'internal',
] as const;

export type ErrorKind = (typeof errorKinds)[number];

export class MobyError extends Error {
  override name = 'MobyError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Builds a `MobyError`; reads better at throw sites: `throw errorOf('not-found', …)`. */
export function errorOf(kind: ErrorKind, message: string, cause?: unknown): MobyError {
  return new MobyError(kind, message, cause === undefined ? undefined : { cause });
}

/** The kind of any thrown value: a `MobyError`'s own, `internal` for everything else. */
export function kindOf(err: unknown): ErrorKind {
  return err instanceof MobyError ? err.kind : 'internal';
}

export function isKind(err: unknown, kind: ErrorKind): boolean {
  return kindOf(err) === kind;
}

/** Adds context in front of a message, keeping the kind: `wrap(err, 'pull busybox')`. */
export function wrap(err: unknown, context: string): MobyError {
  const message = err instanceof Error ? err.message : String(err);
  return new MobyError(kindOf(err), `${context}: ${message}`, { cause: err });
}
