/**
 * Waits until a DNS server answers a name with a given IPv4 address.
 *
 * Why: netavark writes aardvark-dns's config and signals it (SIGHUP), then returns; aardvark
 * reloads on its own time. Until it has, a query from the new container's address is from a
 * stranger: aardvark answers other containers' names, but forwards the rest to the host's
 * resolvers instead of the container's `--dns` servers, and does not know the container's own
 * name. Docker's embedded resolver knows a container before its process starts; asking
 * aardvark (from the host, on the network's gateway) for the container's ID until it answers
 * with the container's address gives the same guarantee: aardvark swaps in one new backend per
 * reload, so once it knows the container it knows all of it.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';

export interface ProbeOptions {
  port?: number;
  /** Give up after this long (resolves false). Default 2000 ms. */
  timeoutMs?: number;
  /** Ask again when no matching answer came within this long. Default 25 ms. */
  retryMs?: number;
}

/** Resolves true once `server` answers an A query for `name` with `ip`; false when `timeoutMs` passes first. */
export function waitForAnswer(server: string, name: string, ip: string, opts: ProbeOptions = {}): Promise<boolean> {
  const port = opts.port ?? 53;
  const retryMs = opts.retryMs ?? 25;
  const socket = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    let id = 0;
    let retry: NodeJS.Timeout | undefined;
    const finish = (answered: boolean) => {
      clearTimeout(retry);
      clearTimeout(deadline);
      socket.close();
      resolve(answered);
    };
    const ask = () => {
      id = randomInt(1, 0xffff);
      socket.send(encodeQuery(id, name), port, server, () => undefined);
      retry = setTimeout(ask, retryMs);
    };
    const deadline = setTimeout(() => finish(false), opts.timeoutMs ?? 2000);
    socket.on('error', () => undefined); // ICMP unreachable while the server restarts its listener: ask again
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id && answersWith(msg, ip)) finish(true);
    });
    ask();
  });
}

/** A recursive A/IN query for `name`. */
export function encodeQuery(id: number, name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  parts.push(header);
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) throw new Error(`dns name ${name}: label of ${bytes.length} bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0, 0, 1, 0, 1])); // root, type A, class IN
  return Buffer.concat(parts);
}

/** Whether the response carries an A record with `ip` (NOERROR). Malformed responses answer false. */
export function answersWith(msg: Buffer, ip: string): boolean {
  try {
    if (msg.length < 12 || (msg.readUInt16BE(2) & 0x800f) !== 0x8000) return false; // a response, rcode 0
    const questions = msg.readUInt16BE(4);
    const answers = msg.readUInt16BE(6);
    let at = 12;
    for (let i = 0; i < questions; i++) at = skipName(msg, at) + 4;
    for (let i = 0; i < answers; i++) {
      at = skipName(msg, at);
      const type = msg.readUInt16BE(at);
      const length = msg.readUInt16BE(at + 8);
      const data = at + 10;
      if (data + length > msg.length) return false;
      if (type === 1 && length === 4 && [...msg.subarray(data, data + 4)].join('.') === ip) return true;
      at = data + length;
    }
    return false;
  } catch {
    return false;
  }
}

function skipName(msg: Buffer, at: number): number {
  for (;;) {
    const len = msg.readUInt8(at);
    if ((len & 0xc0) === 0xc0) return at + 2; // a pointer ends the name
    if (len === 0) return at + 1;
    at += len + 1;
  }
}
