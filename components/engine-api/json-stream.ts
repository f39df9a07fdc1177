/**
 * Docker's JSON message streams (import, load, pull, push): `200 application/json`, one
 * chunk per message, each `\r\n`-terminated. Headers go out with the first message, so an
 * operation that fails before saying anything still answers with its error status (4xx for
 * bad input); a failure after that becomes an `errorDetail` message, which the CLI prints.
 */
import type { ServerResponse } from 'node:http';
import type { JsonMessage, ProgressEvent } from '../../core/image-store/image-store.js';
import { goJson, writeHead } from './respond.js';

function send(res: ServerResponse, message: JsonMessage): void {
  if (!res.headersSent) writeHead(res, 200, { 'Content-Type': 'application/json' });
  res.write(goJson(message).replace(/\n$/, '\r\n'));
}

/** Relays the messages of `events` to the client; the store already says its result in them. */
export async function relayProgress<T>(res: ServerResponse, events: AsyncIterable<ProgressEvent<T>>): Promise<void> {
  try {
    for await (const event of events) if ('message' in event) send(res, event.message);
  } catch (err) {
    if (!res.headersSent) throw err;
    const message = err instanceof Error ? err.message : String(err);
    send(res, { errorDetail: { message }, error: message });
  }
  if (!res.headersSent) writeHead(res, 200, { 'Content-Type': 'application/json' });
  res.end();
}
