/**
 * Server-side plumbing shared by component gRPC adapters: unary calls as async functions,
 * stream writes that wait for the transport, and errors through the one gRPC table.
 */
import type { handleUnaryCall, ServerDuplexStream, ServerWritableStream } from '@grpc/grpc-js';
import { errorOf } from '../errdefs/index.js';
import { toGrpcError } from '../errdefs/grpc.js';

type OutgoingCall<Res> = ServerWritableStream<unknown, Res> | ServerDuplexStream<unknown, Res>;

/** A unary handler from an async function; whatever it throws goes through `toGrpcError`. */
export function unaryOf<Req, Res>(fn: (req: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, cb) => {
    Promise.resolve(call.request).then(fn).then(
      (res) => cb(null, res),
      (err) => cb(toGrpcError(err)),
    );
  };
}

/** Writes one message and resolves once the transport accepts more; rejects when the client cancelled. */
export function send<Res>(call: OutgoingCall<Res>, message: Res): Promise<void> {
  if (call.cancelled || call.destroyed) return Promise.reject(cancelled());
  if (call.write(message)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      call.off('drain', onDrain);
      call.off('close', onGone);
      call.off('cancelled', onGone);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onGone = () => settle(cancelled());
    call.on('drain', onDrain);
    call.on('close', onGone);
    call.on('cancelled', onGone);
  });
}

/** Ends a streaming call with the status of `err`, unless the client is gone already. */
export function fail<Res>(call: OutgoingCall<Res>, err: unknown): void {
  if (call.cancelled || call.destroyed) return;
  call.emit('error', toGrpcError(err));
}

/** The error of a call the client cancelled. */
export function cancelled(): Error {
  return errorOf('cancelled', 'call cancelled by the client');
}
/** The largest `data` a stream message carries, well under gRPC's 4 MiB receive limit. */
export const maxChunk = 1024 * 1024;

/** `chunk` as views of at most `maxChunk` bytes, without copying. */
export function* pieces(chunk: Uint8Array): Iterable<Buffer> {
  const whole = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (whole.length <= maxChunk) {
    yield whole;
    return;
  }
  for (let at = 0; at < whole.length; at += maxChunk) yield whole.subarray(at, at + maxChunk);
}
