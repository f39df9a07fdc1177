/**
 * Test support: a real Debian `docker-registry` (distribution 2.8) on
 * 127.0.0.1, with a throwaway config and storage directory, on a free port.
 * It is killed and its directory removed when the test ends, pass or fail.
 * Readiness is polled (`GET /v2/` answers), never waited for by time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export interface RegistryConfig {
  htpasswd?: { path: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { certificate: string; key: string };
}

export interface TestRegistry {
  port: number;
  /** `127.0.0.1:<port>` */
  host: string;
  dir: string;
  /** SIGKILL, as a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and storage. */
  start(): Promise<void>;
  /** What the registry wrote to stderr, for failure messages. */
  log(): string;
}

/** A temporary directory removed when the test ends. */
export async function scratchDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moby-dist-scratch-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function configYaml(dir: string, port: number, auth?: RegistryConfig): string {
  const lines = [
    'version: 0.1',
    'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'storage')}`, '  delete:', '    enabled: true',
    'http:', `  addr: 127.0.0.1:${port}`,
  ];
  if (auth?.tls) lines.push('  tls:', `    certificate: ${auth.tls.certificate}`, `    key: ${auth.tls.key}`);
  if (auth?.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: basic-realm', `    path: ${auth.htpasswd.path}`);
  if (auth?.token) {
    const t = auth.token;
    lines.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.rootCertBundle}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Resolves once `GET /v2/` on the port gets any HTTP answer. */
async function waitReady(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`docker-registry exited early: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v2/' }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`docker-registry not ready on ${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startRegistry(t: TestContext, auth?: RegistryConfig): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'moby-registry-'));
  let proc: ChildProcess | undefined;
  let stderr = '';
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await gone;
  };
  t.after(async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(config, configYaml(dir, port, auth));
  const start = async () => {
    proc = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8192)));
    await waitReady(port, proc, () => stderr);
  };
  await start();
  return { port, host: `127.0.0.1:${port}`, dir, kill, start, log: () => stderr };
}
