import { errorOf } from '../../lib/errdefs/index.js';

/**
 * Registry credentials as Docker passes them: the `X-Registry-Auth` header of
 * `POST /images/create` and `POST /images/{name}/push` is the base64url of
 * this JSON (`{}` for anonymous). Exactly one way of authenticating is used,
 * in this order of preference:
 *  - `registrytoken`: a bearer token sent to the registry as it is;
 *  - `identitytoken`: an OAuth2 refresh token exchanged at the token realm;
 *  - `username` + `password` (or `auth`, base64 of `user:pass`): Basic, or
 *    Basic at the token realm when the registry asks for a bearer token.
 */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** base64 of `username:password`, as `~/.docker/config.json` keeps it. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

const fields = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;

/**
 * Decodes an `X-Registry-Auth` header (base64url, or standard base64, of the
 * JSON). An absent or empty header is anonymous; anything undecodable is
 * `invalid-argument`, as moby refuses it.
 */
export function parseRegistryAuth(header: string | undefined): RegistryAuth {
  if (header === undefined || header.trim() === '') return {};
  const text = Buffer.from(header.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw errorOf('invalid-argument', 'invalid X-Registry-Auth header: not base64-encoded JSON', err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw errorOf('invalid-argument', 'invalid X-Registry-Auth header: expected a JSON object');
  }
  return normalizeAuth(value as Record<string, unknown>);
}

/** Keeps the known string fields (any case, as Go's JSON decoder does) and splits `auth` into user and password. */
export function normalizeAuth(value: Record<string, unknown>): RegistryAuth {
  const out: RegistryAuth = {};
  for (const [key, item] of Object.entries(value)) {
    const field = fields.find((f) => f === key.toLowerCase());
    if (field !== undefined && typeof item === 'string' && item !== '') out[field] = item;
  }
  if (out.auth !== undefined && out.username === undefined) {
    const decoded = Buffer.from(out.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw errorOf('invalid-argument', 'invalid X-Registry-Auth header: auth is not base64 of user:password');
    out.username = decoded.slice(0, colon);
    out.password = decoded.slice(colon + 1);
  }
  return out;
}

/** The header value for `auth`: base64url of its JSON, as the docker CLI sends it. */
export function encodeRegistryAuth(auth: RegistryAuth): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64url');
}

/** Whether `auth` carries a username and password (Basic is possible). */
export function hasBasicCredentials(auth: RegistryAuth): auth is RegistryAuth & { username: string; password: string } {
  return auth.username !== undefined && auth.password !== undefined;
}
