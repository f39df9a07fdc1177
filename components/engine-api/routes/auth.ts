/** `POST /auth` (`docker login`): credentials checked against the registry by the image store. */
import type { IncomingMessage } from 'node:http';
import { normalizeAuth } from '../../../core/distribution/registry-auth.js';
import type { ImageStore } from '../../../core/image-store/image-store.js';
import { errorOf } from '../../../lib/errdefs/index.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { writeJson } from '../respond.js';
import type { Route } from '../router.js';

/** An `AuthConfig` is a few short strings; anything larger is not one. */
const maxBody = 1024 * 1024;

export function authRoutes(deps: EngineApiDeps): Route[] {
  const store = async (): Promise<ImageStore> => {
    if (!deps.images) throw errorOf('not-implemented', 'no image store in this engine');
    return deps.images();
  };
  return [
    {
      method: 'POST',
      path: '/auth',
      handler: async ({ req, res }) => {
        const auth = normalizeAuth(await jsonObject(req));
        const { IdentityToken, Status } = await (await store()).login(auth);
        // Go's field order for `AuthenticateOKBody`.
        writeJson(res, 200, { IdentityToken, Status });
      },
    },
  ];
}

/** The body as a JSON object (`{"username":…,"password":…,"serveraddress":…}`). */
async function jsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw errorOf('invalid-argument', 'auth config too large');
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw errorOf('invalid-argument', `invalid auth config: ${(err as Error).message}`, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw errorOf('invalid-argument', 'invalid auth config: expected a JSON object');
  return value as Record<string, unknown>;
}
