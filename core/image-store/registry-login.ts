import { STATUS_CODES } from 'node:http';
import { errorOf, isKind, kindOf } from '../../lib/errdefs/index.js';
import { RegistryClient, RegistryResponseError, type RegistryAuth } from '../distribution/index.js';
import type { LoginResult } from './image-store.js';
import type { RegistryOptions } from './pull-into-store.js';

/** What the docker CLI sends as `serveraddress` for Docker Hub. */
const indexServer = 'https://index.docker.io/v1/';
const hubHosts = new Set(['index.docker.io', 'registry-1.docker.io', 'docker.io']);

/** The registry a login names: `127.0.0.1:5000` as it is, a URL by its host, Docker Hub as `docker.io`. */
export function loginRegistry(serveraddress: string | undefined): string {
  const address = serveraddress || indexServer;
  let host: string;
  try {
    host = /^https?:\/\//i.test(address) ? new URL(address).host : address.split('/')[0]!;
  } catch (err) {
    throw errorOf('invalid-argument', `unable to parse server address: ${(err as Error).message}`, err);
  }
  if (host === '') throw errorOf('invalid-argument', `unable to parse server address: ${address}`);
  return hubHosts.has(host.toLowerCase()) ? 'docker.io' : host;
}

/**
 * `docker login` as moby's `loginV2`: `GET /v2/` on the registry with the credentials,
 * through the registry's own flow (Basic, or a token from the realm's Bearer challenge
 * fetched with them). 200 is `Login Succeeded`. Refusals keep Docker's wording: a 401 from
 * the registry reads `login attempt to http://…/v2/ failed with status: 401 Unauthorized`,
 * a token refused by the realm `Get "http://…/v2/": unauthorized: incorrect username or
 * password`; both are `unauthenticated`. No identity token is asked for.
 */
export async function registryLogin(auth: RegistryAuth, options: RegistryOptions = {}): Promise<LoginResult> {
  const client = new RegistryClient({ ...options, registry: loginRegistry(auth.serveraddress), auth });
  try {
    const url = `${await client.transport.base()}/v2/`;
    try {
      const res = await client.transport.call({ method: 'GET', target: '/v2/', scopes: [], expect: [200] });
      await res.body.dump();
    } catch (err) {
      throw loginError(err, url);
    }
    return { Status: 'Login Succeeded', IdentityToken: '' };
  } finally {
    await client.close();
  }
}

function loginError(err: unknown, url: string): unknown {
  if (err instanceof RegistryResponseError) {
    const kind = err.status === 401 ? 'unauthenticated' : err.kind;
    return errorOf(kind, `login attempt to ${url} failed with status: ${err.status} ${STATUS_CODES[err.status] ?? ''}`.trimEnd(), err);
  }
  if (isKind(err, 'unauthenticated') || isKind(err, 'permission-denied')) {
    // Go fetches the token inside the /v2/ request, so its error names that request.
    const detail = (err as Error).message.replace(/^[A-Z][a-z]* "[^"]*": /, '');
    return errorOf(kindOf(err), `Get "${url}": ${detail}`, err);
  }
  return err;
}
