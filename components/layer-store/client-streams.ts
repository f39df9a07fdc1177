/**
 * Client-side plumbing for server-streaming calls: a byte Readable fed by a Read call at the
 * consumer's pace, and an async iterable of a List call, both with errors as `MobyError`s.
 */
import { Readable } from 'node:stream';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../../lib/errdefs/grpc.js';

/**
 * Resolves once the call produced its first chunk or ended, so that errors about the request
 * (not-found, invalid-argument) reject here; later errors destroy the stream. Destroying the
 * returned stream cancels the call.
 */
export function readableOf<T>(call: ClientReadableStream<T>, data: (message: T) => Buffer): Promise<Readable> {
  return new Promise((resolve, reject) => {
    let opened = false;
    const out = new Readable({
      highWaterMark: 1024 * 1024,
      read: () => void call.resume(),
      destroy: (err, cb) => {
        cancelQuietly(call);
        cb(err);
      },
    });
    const open = () => {
      if (!opened) resolve(out);
      opened = true;
    };
    call.on('data', (message: T) => {
      open();
      if (!out.push(data(message))) call.pause();
    });
    call.on('end', () => {
      open();
      out.push(null);
    });
    call.on('error', (err) => {
      const error = fromGrpcError(err);
      if (opened) out.destroy(error);
      else reject(error);
    });
  });
}

/** The messages of a call as an async iterable; leaving the loop early cancels the call. */
export async function* itemsOf<T>(call: ClientReadableStream<T>): AsyncIterable<T> {
  try {
    for await (const message of call) yield message as T;
  } catch (err) {
    throw fromGrpcError(err);
  } finally {
    cancelQuietly(call);
  }
}

/** Cancels a call whose stream may have no error listener left (a cancel emits one). */
export function cancelQuietly(call: { cancel(): void; on(event: 'error', fn: () => void): unknown }): void {
  call.on('error', () => undefined);
  call.cancel();
}
