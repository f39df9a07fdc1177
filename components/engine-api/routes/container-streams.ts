/**
 * The container routes that stream: attach and exec start (hijacked connections) and logs.
 *
 * Hijack (c3 of the engine API notes): the client asks `Connection: Upgrade`, `Upgrade: tcp`;
 * once the engine has registered the attachment (so a `start` sent after the 101 loses
 * nothing) we write `101 UPGRADED` by hand and the socket carries the process's output
 * (multiplexed frames without a TTY, raw bytes with one) and the client's raw stdin. The
 * client's half-close is the end of its stdin, never a disconnect; a full close detaches.
 * Clients without `Upgrade` get the old `200 OK` head and the same bytes.
 */
import type { AttachInput, AttachSession, ContainerEngine } from '../../../core/container-engine/container-engine.js';
import { unixTimeToNanos } from '../../../core/logs/json-line.js';
import { errorOf } from '../../../lib/errdefs/index.js';
import { hijack } from '../hijack.js';
import { writeLogStream, type LogSource } from '../log-stream.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { readJsonObject } from '../json-body.js';
import { boolValue } from '../query.js';
import { writeEmpty } from '../respond.js';
import type { RequestContext, Route } from '../router.js';


export function containerStreamRoutes(deps: EngineApiDeps): Route[] {
  const engine = async (): Promise<ContainerEngine> => {
    if (!deps.containers) throw errorOf('not-implemented', 'no container engine in this engine');
    return deps.containers();
  };
  return [
    { method: 'POST', path: '/containers/{id}/attach', hijack: true, handler: async (ctx) => attach(ctx, await engine()) },
    { method: 'POST', path: '/exec/{id}/start', hijack: true, handler: async (ctx) => execStart(ctx, await engine()) },
    { method: 'GET', path: '/containers/{id}/logs', handler: async (ctx) => logs(ctx, await engine()) },
  ];
}

function parseObject(bytes: Buffer): Record<string, unknown> {
  if (bytes.length === 0) return {};
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch (err) {
    throw errorOf('invalid-argument', `invalid JSON: ${(err as Error).message}`, err);
  }
}

async function attach(ctx: RequestContext, c: ContainerEngine): Promise<void> {
  const { params, query } = ctx;
  const ref = params.id!;
  const opts = {
    stream: boolValue(query, 'stream'),
    logs: boolValue(query, 'logs'),
    stdin: boolValue(query, 'stdin'),
    stdout: boolValue(query, 'stdout'),
    stderr: boolValue(query, 'stderr'),
  };
  // Some clients (dockerode) send their options as a body too; dockerd never reads it as stdin.
  if (ctx.upgrade) await ctx.upgrade.readBody();
  const info = (await c.inspect(ref)) as { Config?: { Tty?: boolean; OpenStdin?: boolean } };
  const tty = info.Config?.Tty ?? false;
  const wantsStdin = opts.stdin && (info.Config?.OpenStdin ?? false);
  await hijacked(ctx, 'attach', tty, wantsStdin, (input) => c.attach(ref, opts, input));
}

async function execStart(ctx: RequestContext, c: ContainerEngine): Promise<void> {
  const { req, res, params, upgrade } = ctx;
  const body = upgrade ? parseObject(await upgrade.readBody()) : await readJsonObject(req);
  const detach = body.Detach === true;
  const inspected = (await c.execInspect(params.id!)) as { ProcessConfig?: { tty?: boolean }; OpenStdin?: boolean };
  const tty = typeof body.Tty === 'boolean' ? body.Tty : (inspected.ProcessConfig?.tty ?? false);
  const size = Array.isArray(body.ConsoleSize) && body.ConsoleSize.length === 2 ? (body.ConsoleSize as [number, number]) : undefined;
  const options = { detach, tty, ...(size && size[0] > 0 && size[1] > 0 ? { consoleSize: size } : {}) };
  if (detach) {
    const session = await c.execStart(params.id!, options, undefined);
    session.close();
    writeEmpty(res, 200);
    return;
  }
  await hijacked(ctx, 'exec', tty, inspected.OpenStdin ?? false, (input) => c.execStart(params.id!, options, input));
}

/**
 * Opens the session, then takes over the connection (`hijack`): writes the head, relays the
 * output as the engine framed it, and feeds the client's bytes as stdin when asked (its
 * half-close is the end of stdin). Errors before the head are ordinary error responses.
 */
async function hijacked(
  ctx: RequestContext,
  kind: 'attach' | 'exec',
  tty: boolean,
  wantsStdin: boolean,
  open: (input: AsyncIterable<AttachInput> | undefined) => Promise<AttachSession>,
): Promise<void> {
  const input = wantsStdin ? new InputQueue() : undefined;
  const session = await open(input);
  await session.ready;
  const conn = hijack(ctx, { kind, tty });
  void conn.closed.then(() => {
    session.close();
    input?.end();
  });
  if (input) {
    conn.stdin.on('data', (chunk: Buffer) => input.push({ stdin: chunk }));
    conn.stdin.once('end', () => input.push({ closeStdin: true }));
  } else conn.stdin.resume();
  try {
    for await (const chunk of session.output) {
      const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const err = await new Promise<Error | null | undefined>((resolve) => conn.send(data, resolve));
      if (err) break;
    }
  } catch (err) {
    conn.fail(err);
    return;
  } finally {
    session.close();
    input?.end();
  }
  await conn.end();
}

/** `GET /containers/{id}/logs` (c4 of the notes). */
async function logs({ res, params, query, apiVersion }: RequestContext, c: ContainerEngine): Promise<void> {
  const stdout = boolValue(query, 'stdout');
  const stderr = boolValue(query, 'stderr');
  if (!stdout && !stderr) throw errorOf('invalid-argument', 'Bad parameters: you must choose at least one stream');
  const timestamps = boolValue(query, 'timestamps');
  const tailText = query.get('tail') ?? 'all';
  const tailNumber = Number(tailText);
  const tail = tailText === '' || tailText === 'all' || !Number.isInteger(tailNumber) || tailNumber < 0 ? 'all' : tailNumber;
  const since = timeQuery(query, 'since');
  const until = timeQuery(query, 'until');
  const controller = new AbortController();
  const onClose = () => controller.abort();
  res.once('close', onClose);
  const follow = boolValue(query, 'follow');
  const { tty, entries } = await c.logs(params.id!, {
    follow, stdout, stderr, tail, timestamps, coalesce: !follow && !timestamps, signal: controller.signal,
    ...(since ? { sinceNanos: since } : {}), ...(until ? { untilNanos: until } : {}),
  });
  const source: LogSource = {
    batches: () => entries,
    async *[Symbol.asyncIterator]() {
      for await (const batch of entries) yield* batch;
    },
  };
  try {
    await writeLogStream(res, source, { apiVersion, tty, stdout, stderr, timestamps, merge: !follow });
  } finally {
    res.off('close', onClose);
  }
}

function timeQuery(query: URLSearchParams, key: string): bigint | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '' || raw === '0') return undefined;
  const nanos = unixTimeToNanos(raw);
  if (nanos === undefined) throw errorOf('invalid-argument', `invalid value for ${key}: ${raw}`);
  return nanos;
}

/** The client's stdin as an async iterable, fed by socket events. */
class InputQueue implements AsyncIterable<AttachInput> {
  #items: AttachInput[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  push(item: AttachInput): void {
    if (this.#ended) return;
    this.#items.push(item);
    if ('closeStdin' in item) this.#ended = true;
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AttachInput> {
    for (;;) {
      const item = this.#items.shift();
      if (item) {
        yield item;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
