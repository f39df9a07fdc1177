/**
 * Client-side plumbing of image-store's streaming rpcs, with errors as `MobyError`s.
 */
import type { ClientDuplexStream, ClientReadableStream, ClientWritableStream, ServiceError } from '@grpc/grpc-js';
import type { ProgressEvent } from '../../core/image-store/image-store.js';
import { isKind } from '../../lib/errdefs/index.js';
import { fromGrpcError } from '../../lib/errdefs/grpc.js';
import { pieces } from '../../lib/component/grpc-handlers.js';

/**
 * An upload, opened when iteration starts: sends `first`, then `source` in pieces as the transport accepts them, then
 * half-closes; meanwhile yields the decoded responses. A failing source cancels the call and
 * is the error thrown; a server error stops the sending; leaving the loop early cancels.
 */
export async function* upload<Req, Res, T>(
  open: () => ClientDuplexStream<Req, Res>,
  first: Req,
  source: AsyncIterable<Uint8Array>,
  data: (piece: Buffer) => Req,
  decode: (res: Res) => ProgressEvent<T>,
): AsyncGenerator<ProgressEvent<T>> {
  const call = open();
  let over = false;
  let sourceError: { err: unknown } | undefined;
  const finish = () => void (over = true);
  call.on('status', finish);
  call.on('error', finish);
  // Not awaited: the source may stall; it is left at its next chunk once the call is over.
  void (async () => {
    try {
      await write(call, first);
      for await (const chunk of source) {
        for (const piece of pieces(chunk)) {
          if (over) return;
          await write(call, data(piece));
        }
      }
      call.end();
    } catch (err) {
      if (!over) sourceError = { err };
      cancelQuietly(call);
    }
  })();
  try {
    for await (const res of call) yield decode(res as Res);
  } catch (err) {
    // A failing source is recorded before it cancels the call, so it is known here.
    if (sourceError && isKind(fromGrpcError(err), 'cancelled')) throw sourceError.err;
    throw fromGrpcError(err);
  } finally {
    over = true;
    cancelQuietly(call);
  }
}

/**
 * A client-streaming upload with one answer: sends `first`, then `source` in pieces as the
 * transport accepts them, then half-closes; resolves with the answer. A failing source
 * cancels the call and is the error thrown; a server error (which may come before all is
 * sent) stops the sending and is thrown as a `MobyError`.
 */
export function uploadUnary<Req, Res>(
  open: (callback: (err: ServiceError | null, res?: Res) => void) => ClientWritableStream<Req>,
  first: Req,
  source: AsyncIterable<Uint8Array>,
  data: (piece: Buffer) => Req,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    let over = false;
    let sourceError: { err: unknown } | undefined;
    const call = open((err, res) => {
      over = true;
      if (!err) resolve(res as Res);
      else if (sourceError && isKind(fromGrpcError(err), 'cancelled')) reject(sourceError.err);
      else reject(fromGrpcError(err));
    });
    call.on('status', () => void (over = true));
    // Not awaited: the source may stall; it is left at its next chunk once the call is over.
    void (async () => {
      try {
        await write(call, first);
        for await (const chunk of source) {
          for (const piece of pieces(chunk)) {
            if (over) return;
            await write(call, data(piece));
          }
        }
        if (!over) call.end();
      } catch (err) {
        if (!over) sourceError = { err };
        cancelQuietly(call);
      }
    })();
  });
}

/** Waits while the transport is full; gives up once the call is over. */
async function write<Req>(call: ClientDuplexStream<Req, unknown> | ClientWritableStream<Req>, message: Req): Promise<void> {
  if (call.write(message)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('status', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('status', done);
    call.on('close', done);
  });
}

/** The `data` of a server stream, opened when iteration starts; leaving the loop early cancels the call. */
export async function* download<Res extends { data: Buffer }>(open: () => ClientReadableStream<Res>): AsyncGenerator<Uint8Array> {
  const call = open();
  try {
    for await (const res of call) yield (res as Res).data;
  } catch (err) {
    throw fromGrpcError(err);
  } finally {
    cancelQuietly(call);
  }
}

/**
 * A progress rpc's events, the call opened when iteration starts; `signal` and leaving the
 * loop early cancel the call (the server then stops the operation).
 */
export async function* progress<Res, T>(
  open: () => ClientReadableStream<Res>,
  decode: (res: Res) => ProgressEvent<T>,
  signal?: AbortSignal,
): AsyncGenerator<ProgressEvent<T>> {
  const call = open();
  const cancel = () => cancelQuietly(call);
  if (signal?.aborted) cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for await (const res of call) yield decode(res as Res);
  } catch (err) {
    throw fromGrpcError(err);
  } finally {
    signal?.removeEventListener('abort', cancel);
    cancelQuietly(call);
  }
}

/** Cancels a call whose stream may have no error listener left (a cancel emits one). */
function cancelQuietly(call: { cancel(): void; on(event: 'error', fn: () => void): unknown }): void {
  call.on('error', () => undefined);
  call.cancel();
}
