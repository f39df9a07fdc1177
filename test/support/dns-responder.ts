/**
 * A tiny DNS server for tests: answers A queries for the names it is given (UDP, one question
 * per message), NXDOMAIN for the rest, and counts the questions it saw. Enough to prove where a
 * container's resolver forwards names it does not serve.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface DnsResponder {
  address: string;
  /** The UDP port it answers on (53 unless told otherwise; 0 picks a free one). */
  port: number;
  /** Names asked, in order (lower case, no trailing dot). */
  asked: string[];
  close(): Promise<void>;
}

export async function startDnsResponder(address: string, records: Record<string, string>, port = 53): Promise<DnsResponder> {
  const socket: Socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (msg, peer) => {
    try {
      const { name, end } = readName(msg, 12);
      asked.push(name);
      const qtype = msg.readUInt16BE(end);
      const ip = records[name];
      const question = msg.subarray(12, end + 4);
      const header = Buffer.alloc(12);
      msg.copy(header, 0, 0, 2); // id
      const answers = ip && qtype === 1 ? 1 : 0;
      header.writeUInt16BE(0x8180 | (ip ? 0 : 3), 2); // response, RD+RA, NOERROR or NXDOMAIN
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(answers, 6);
      const parts = [header, question];
      if (answers) {
        const rr = Buffer.alloc(16);
        rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
        rr.writeUInt16BE(1, 2); // A
        rr.writeUInt16BE(1, 4); // IN
        rr.writeUInt32BE(30, 6); // TTL
        rr.writeUInt16BE(4, 10);
        ip!.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
        parts.push(rr);
      }
      socket.send(Buffer.concat(parts), peer.port, peer.address);
    } catch {
      // a malformed question: no answer
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  return { address, port: socket.address().port, asked, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

function readName(msg: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = start;
  for (;;) {
    const len = msg.readUInt8(at);
    at += 1;
    if (len === 0) break;
    labels.push(msg.toString('ascii', at, at + len).toLowerCase());
    at += len;
  }
  return { name: labels.join('.'), end: at };
}
