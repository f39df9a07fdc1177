/**
 * Server-side plumbing of image-store: unary calls as async functions, uploads (options then
 * data) with progress answered, and a paced byte download. Errors go through the one gRPC table.
 */
import type { sendUnaryData, ServerDuplexStream, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import type { ProgressEvent } from '../../core/image-store/image-store.js';
import { cancelled, fail, maxChunk, pieces, send } from '../../lib/component/grpc-handlers.js';
import { toGrpcError } from '../../lib/errdefs/grpc.js';
import { errorOf } from '../../lib/errdefs/index.js';

export { unaryOf } from '../../lib/component/grpc-handlers.js';

interface UploadMessage<O> {
  options?: O | undefined;
  data?: Buffer | undefined;
}

/**
 * An upload rpc: the first message carries the options, the rest carry data, read only as
 * fast as `run` consumes it. Its progress events are sent as they come; a client that
 * cancels makes the data stream fail, so `run` cleans up as for any broken source.
 */
export async function serveUpload<Req extends UploadMessage<unknown>, Res, T>(
  call: ServerDuplexStream<Req, Res>,
  run: (options: NonNullable<Req['options']>, data: AsyncIterable<Uint8Array>) => AsyncIterable<ProgressEvent<T>>,
  encode: (event: ProgressEvent<T>) => Res,
): Promise<void> {
  try {
    const requests = incoming(call);
    const first = await requests.next();
    if (first.done || first.value.options === undefined) throw errorOf('invalid-argument', 'upload: the first message must carry the options');
    const options = first.value.options as NonNullable<Req['options']>;
    for await (const event of run(options, dataOf(requests))) await send(call, encode(event));
    call.end();
  } catch (err) {
    fail(call, err);
  }
}

/**
 * A client-streaming upload rpc (options, then data; one answer): `run` reads the data as
 * fast as it consumes it, and its result or error is the answer. A client that cancels
 * makes the data stream fail, so `run` cleans up as for any broken source.
 */
export async function serveUploadUnary<Req extends UploadMessage<unknown>, Res, T>(
  call: ServerReadableStream<Req, Res>,
  callback: sendUnaryData<Res>,
  run: (options: NonNullable<Req['options']>, data: AsyncIterable<Uint8Array>) => Promise<T>,
  encode: (result: T) => Res,
): Promise<void> {
  try {
    const requests = incoming(call);
    const first = await requests.next();
    if (first.done || first.value.options === undefined) throw errorOf('invalid-argument', 'upload: the first message must carry the options');
    const options = first.value.options as NonNullable<Req['options']>;
    const result = await run(options, dataOf(requests));
    callback(null, encode(result));
  } catch (err) {
    callback(toGrpcError(err));
  }
}

async function* dataOf<O>(requests: AsyncIterator<UploadMessage<O>>): AsyncGenerator<Uint8Array> {
  for (let next = await requests.next(); !next.done; next = await requests.next()) {
    if (next.value.data === undefined) throw errorOf('invalid-argument', 'upload: options sent twice');
    yield next.value.data;
  }
}

/** The client's messages until it half-closes; fails with `cancelled` when it cancels. */
async function* incoming<T>(call: ServerDuplexStream<T, unknown> | ServerReadableStream<T, unknown>): AsyncGenerator<T> {
  const gone = new Promise<never>((_, reject) => {
    if (call.cancelled) reject(cancelled());
    else call.once('cancelled', () => reject(cancelled()));
  });
  gone.catch(() => undefined);
  // Not destroying on an early exit: the call must stay alive to carry the error status.
  const messages = call.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]();
  for (;;) {
    const next = await Promise.race([messages.next(), gone]);
    if (next.done) return;
    yield next.value as T;
  }
}

/**
 * A progress rpc (one request, then progress and a result): `run`'s events sent as they come,
 * at the client's pace. A client that cancels aborts the signal `run` is given; errors before
 * the first event end the call alone, with their status.
 */
export async function serveProgress<Res, T>(
  call: ServerWritableStream<unknown, Res>,
  run: (signal: AbortSignal) => AsyncIterable<ProgressEvent<T>>,
  encode: (event: ProgressEvent<T>) => Res,
): Promise<void> {
  const controller = new AbortController();
  const onCancel = () => controller.abort(cancelled());
  if (call.cancelled) onCancel();
  else call.once('cancelled', onCancel);
  try {
    for await (const event of run(controller.signal)) await send(call, encode(event));
    call.end();
  } catch (err) {
    fail(call, err);
  } finally {
    call.off('cancelled', onCancel);
  }
}

/**
 * A download rpc: `bytes` sent at the client's pace, small chunks gathered into messages of
 * up to `maxChunk`; errors before the first byte end the call alone.
 */
export async function serveBytes<Res>(call: ServerWritableStream<unknown, Res>, bytes: () => AsyncIterable<Uint8Array>, wrap: (data: Buffer) => Res): Promise<void> {
  try {
    let held: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      if (size > 0) await send(call, wrap(Buffer.concat(held, size)));
      held = [];
      size = 0;
    };
    for await (const chunk of bytes()) {
      for (const data of pieces(chunk)) {
        if (size + data.length > maxChunk) await flush();
        held.push(data);
        size += data.length;
      }
    }
    await flush();
    call.end();
  } catch (err) {
    fail(call, err);
  }
}
