import { errorOf } from '../../lib/errdefs/index.js';
import { hasBasicCredentials, type RegistryAuth } from './registry-auth.js';
import { errcodeText, parseErrorBody, requestContext } from './registry-errors.js';
import type { Challenge } from './www-authenticate.js';

/** The one HTTP call a token fetch needs; the registry client provides it over its own agent. */
export type TokenHttp = (req: { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; body?: string }) =>
  Promise<{ status: number; statusText: string; body: string }>;

export interface AuthorizerOptions {
  auth: RegistryAuth;
  http: TokenHttp;
  /** Milliseconds since the epoch; tests pass one they can move. */
  clock?: () => number;
}

/** Docker's floor on a token's lifetime (`minimumTokenLifetimeSeconds`). */
const minTokenSeconds = 60;

/**
 * Authorization for one registry, learnt from its `WWW-Authenticate`
 * challenges (Docker's `auth.Handler`s): Basic sends the credentials; Bearer
 * fetches a token from the challenge's realm for the request's scopes
 * (`repository:bb:pull`), with Basic credentials or an OAuth2 refresh token,
 * and caches it per set of scopes until it expires. Concurrent requests for
 * the same scopes share one fetch. A `registrytoken` is sent as it is.
 *
 * Token failures are `unauthenticated` (401 from the realm) or `unavailable`.
 */
export class Authorizer {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, Promise<{ token: string; expiresAt: number }>>();
  private readonly clock: () => number;

  constructor(private readonly options: AuthorizerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Remembers the challenge to answer (Bearer preferred over Basic); others are ignored. */
  learn(challenges: Challenge[]): void {
    const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (chosen) this.challenge = chosen;
  }

  /** The `Authorization` header for a request needing `scopes`, or undefined when none is known to be needed. */
  async header(scopes: string[]): Promise<string | undefined> {
    const { auth } = this.options;
    const challenge = this.challenge;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === 'basic') {
      return hasBasicCredentials(auth) ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;
    }
    if (auth.registrytoken !== undefined) return `Bearer ${auth.registrytoken}`;
    return `Bearer ${await this.token(challenge, scopes)}`;
  }

  /**
   * After a 401 that carried `challenges`: learns them, forgets the token used,
   * and says whether retrying with a new header can help (once per request).
   */
  retryAfter401(challenges: Challenge[], scopes: string[], sent: string | undefined): boolean {
    this.learn(challenges);
    const challenge = this.challenge;
    if (challenge === undefined) return false;
    if (challenge.scheme === 'basic') return sent === undefined && hasBasicCredentials(this.options.auth);
    this.tokens.delete(scopeKey(challenge, scopes));
    return this.options.auth.registrytoken === undefined || sent === undefined;
  }

  private token(challenge: Challenge, scopes: string[]): Promise<string> {
    const key = scopeKey(challenge, scopes);
    const cached = this.tokens.get(key);
    const fetched = cached ?? this.fetchToken(challenge, scopes);
    if (!cached) {
      this.tokens.set(key, fetched);
      fetched.catch(() => this.tokens.get(key) === fetched && this.tokens.delete(key));
    }
    return fetched.then((t) => {
      if (t.expiresAt > this.clock()) return t.token;
      if (this.tokens.get(key) === fetched) this.tokens.delete(key);
      return this.token(challenge, scopes);
    });
  }

  private async fetchToken(challenge: Challenge, scopes: string[]): Promise<{ token: string; expiresAt: number }> {
    const { realm, service } = challenge.params;
    if (realm === undefined) throw errorOf('unauthenticated', 'bearer challenge without a realm');
    const started = this.clock();
    const req = this.tokenRequest(realm, service, scopes);
    const res = await this.options.http(req);
    if (res.status !== 200) throw tokenError(req.method, realm, res);
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(res.body) as typeof parsed;
    } catch (err) {
      throw errorOf('unauthenticated', `${requestContext(req.method, realm)}: unable to decode token response`, err);
    }
    const token = typeof parsed.token === 'string' && parsed.token !== '' ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') throw errorOf('unauthenticated', `${requestContext(req.method, realm)}: authorization server did not include a token in the response`);
    const seconds = typeof parsed.expires_in === 'number' ? Math.max(parsed.expires_in, minTokenSeconds) : minTokenSeconds;
    return { token, expiresAt: started + seconds * 1000 };
  }

  private tokenRequest(realm: string, service: string | undefined, scopes: string[]): Parameters<TokenHttp>[0] {
    const { auth } = this.options;
    if (auth.identitytoken !== undefined) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identitytoken, client_id: 'docker', access_type: 'offline' });
      if (service !== undefined) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      return { method: 'POST', url: realm, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
    }
    const url = new URL(realm);
    if (service !== undefined) url.searchParams.set('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    if (hasBasicCredentials(auth)) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return { method: 'GET', url: url.toString(), headers };
  }
}

function scopeKey(challenge: Challenge, scopes: string[]): string {
  return [challenge.params.realm ?? '', challenge.params.service ?? '', ...[...scopes].sort()].join(' ');
}

function tokenError(method: string, realm: string, res: { status: number; statusText: string; body: string }) {
  const errors = parseErrorBody(res.body);
  let detail = errors.length > 0 ? errcodeText(errors) : undefined;
  if (detail === undefined) {
    let details: unknown;
    try {
      details = (JSON.parse(res.body) as { details?: unknown }).details;
    } catch {
      // not JSON: the status says enough
    }
    detail = typeof details === 'string' && res.status === 401 ? `unauthorized: ${details}` : `unexpected status ${res.status} ${res.statusText}`.trimEnd();
  }
  const kind = res.status === 401 ? 'unauthenticated' : res.status === 403 ? 'permission-denied' : 'unavailable';
  return errorOf(kind, `${requestContext(method, realm)}: ${detail}`);
}
