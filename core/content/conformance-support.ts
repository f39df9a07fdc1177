import assert from 'node:assert/strict';
import { isKind, type ErrorKind } from '../../lib/errdefs/index.js';
import type { ContentStore, ListFilter } from './content-store.js';
import { digestOf } from './digest.js';

/** Registers one conformance test that gets a fresh store. */
export type CaseRegistrar = (title: string, body: (store: ContentStore) => Promise<void>) => void;

/** Asserts that `promise` rejects with a `MobyError` of `kind` whose message contains every `parts`. */
export async function rejectsWithKind(promise: Promise<unknown>, kind: ErrorKind, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.ok(isKind(err, kind), `expected ${kind}, got ${String(err)}`);
    for (const part of parts) assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} lacks ${part}`);
    return true;
  });
}

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function listDigests(store: ContentStore, filter?: ListFilter): Promise<string[]> {
  const digests: string[] = [];
  for await (const info of store.list(filter)) digests.push(info.digest);
  return digests.sort();
}

export const hello = Buffer.from('hello, content store\n');
export const helloDigest = digestOf(hello);
export const missing = digestOf('never written');
