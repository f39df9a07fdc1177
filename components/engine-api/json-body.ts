/** Request bodies as JSON, the way moby's `httputils.ReadJSON` reads them. */
import type { IncomingMessage } from 'node:http';
import type { Json } from '../../core/image-store/image-store.js';
import { errorOf } from '../../lib/errdefs/index.js';

/** Bodies larger than this are refused: container configs are small. */
const maxJsonBody = 16 * 1024 * 1024;

/**
 * The body parsed as JSON. An empty body is `undefined` (the caller decides whether that is
 * allowed); malformed JSON is moby's 400 `invalid JSON: …`.
 */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxJsonBody) throw errorOf('invalid-argument', 'request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errorOf('invalid-argument', `invalid JSON: ${(err as Error).message}`, err);
  }
}

/** The body as a JSON object; an empty body is `{}`. */
export async function readJsonObject(req: IncomingMessage): Promise<{ [key: string]: Json }> {
  const value = await readJson(req);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw errorOf('invalid-argument', 'invalid JSON: expected an object');
  return value as { [key: string]: Json };
}
