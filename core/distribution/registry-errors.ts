import { MobyError, type ErrorKind } from '../../lib/errdefs/index.js';

/**
 * Errors of the registry protocol, worded as Docker's distribution client
 * words them: an error body `{"errors":[{"code":"MANIFEST_UNKNOWN","message":
 * "manifest unknown"}]}` reads `manifest unknown: manifest unknown` (the code
 * in lower case with spaces, then the message), after the request in Go's
 * style: `Head "http://127.0.0.1:5055/v2/bb/manifests/1": unauthorized:
 * authentication required`. Transport failures read as Go's dial errors.
 */

/** One entry of a registry's error body. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/** A registry answered with an error status; `errors` lets callers reword (`manifest for … not found`). */
export class RegistryResponseError extends MobyError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly status: number,
    readonly errors: RegistryErrorEntry[],
    /** The error body's text alone, without the request: `manifest unknown: manifest unknown`. */
    readonly detail: string,
  ) {
    super(kind, message);
  }

  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

const kindByCode: Record<string, ErrorKind> = {
  UNAUTHORIZED: 'unauthenticated',
  DENIED: 'permission-denied',
  MANIFEST_UNKNOWN: 'not-found',
  BLOB_UNKNOWN: 'not-found',
  NAME_UNKNOWN: 'not-found',
  BLOB_UPLOAD_UNKNOWN: 'not-found',
  TOOMANYREQUESTS: 'unavailable',
  UNAVAILABLE: 'unavailable',
  UNSUPPORTED: 'not-implemented',
};

const kindByStatus: Record<number, ErrorKind> = {
  400: 'invalid-argument', 401: 'unauthenticated', 403: 'permission-denied', 404: 'not-found', 405: 'not-implemented',
  409: 'conflict', 412: 'failed-precondition', 416: 'invalid-argument', 429: 'unavailable',
};

/** Go's `http.Request` method spelling in messages: `Get`, `Head`, `Put`. */
export function requestContext(method: string, url: string): string {
  const clean = url.split('?')[0]!;
  return `${method[0]!.toUpperCase()}${method.slice(1).toLowerCase()} "${clean}"`;
}

/** Parses an error body; anything but the registry's JSON shape gives no entries. */
export function parseErrorBody(body: string): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown; details?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: typeof e.message === 'string' ? e.message : '' }));
  } catch {
    return [];
  }
}

/** `manifest unknown: manifest unknown`; several entries as Go's `errcode.Errors` prints them. */
export function errcodeText(errors: RegistryErrorEntry[]): string {
  const one = (e: RegistryErrorEntry) => `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message}`;
  if (errors.length === 1) return one(errors[0]!);
  return `errors:\n${errors.map((e) => `${one(e)}\n`).join('')}`;
}

/** The error for a response with status `status` and body text `body`. */
export function responseError(method: string, url: string, status: number, statusText: string, body: string): RegistryResponseError {
  const errors = parseErrorBody(body);
  // A 401 without an error body (a HEAD) reads as Docker's client reads it.
  if (errors.length === 0 && status === 401) errors.push({ code: 'UNAUTHORIZED', message: 'authentication required' });
  const detail = errors.length > 0 ? errcodeText(errors) : `received unexpected HTTP status: ${status} ${statusText}`.trimEnd();
  const kind = errors.map((e) => kindByCode[e.code]).find((k) => k !== undefined)
    ?? kindByStatus[status] ?? (status >= 500 ? 'unavailable' : 'internal');
  return new RegistryResponseError(kind, `${requestContext(method, url)}: ${detail}`, status, errors, detail);
}

const unknownAuthority = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';

/** Node's codes for TLS failures, in the words Go's `crypto/tls` and `net/http` use. */
const goWording: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'http: server gave HTTP response to HTTPS client',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: unknownAuthority,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unknownAuthority,
  SELF_SIGNED_CERT_IN_CHAIN: unknownAuthority,
  DEPTH_ZERO_SELF_SIGNED_CERT: unknownAuthority,
  CERT_HAS_EXPIRED: 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid',
};

/** A request that got no response: refused, reset, timed out, TLS failure, or cancelled. */
export function transportError(method: string, url: string, err: unknown): MobyError {
  if (err instanceof MobyError) return err;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const context = requestContext(method, url);
  if (e?.name === 'AbortError' || e?.code === 'UND_ERR_ABORTED' || e?.code === 'ABORT_ERR') {
    return new MobyError('cancelled', `${context}: context canceled`, { cause: err });
  }
  const target = e?.address !== undefined ? `${e.address}:${e.port}` : URL.canParse(url) ? new URL(url).host : url;
  const text = goWording[e?.code ?? ''] ?? (e?.code === 'ECONNREFUSED' ? `dial tcp ${target}: connect: connection refused`
    : e?.code === 'ECONNRESET' ? `read tcp ${target}: connection reset by peer`
      : e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT' ? `${e.message}: i/o timeout`
        : e?.message ?? String(err));
  return new MobyError('unavailable', `${context}: ${text}`, { cause: err });
}
