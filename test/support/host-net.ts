/**
 * The host's network as network tests look at it: a free port, interfaces, firewall lines.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A TCP port free on 127.0.0.1 right now (bound and let go). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function sh(cmd: string): Promise<string> {
  return (await run('sh', ['-c', cmd], { maxBuffer: 16 << 20 })).stdout;
}

/** The host's interfaces, with the bridge each is enslaved to. */
export async function hostLinks(): Promise<{ ifname: string; master?: string }[]> {
  return JSON.parse(await sh('ip -j link show')) as { ifname: string; master?: string }[];
}

/** iptables lines of every table that mention any of `needles`. */
export async function rulesMentioning(needles: string[]): Promise<string[]> {
  const text = await sh('iptables-save 2>/dev/null || true');
  return text.split('\n').filter((line) => needles.some((n) => line.includes(n)));
}
