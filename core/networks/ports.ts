/**
 * Published ports: what a container asks for (`HostConfig.PortBindings`, `-P` over its
 * exposed ports) as a list of wanted bindings, and checking a host port is free by binding it.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { errorOf } from '../../lib/errdefs/index.js';
import type { PortMap, PortRequest } from './network-service.js';

export const EPHEMERAL_FIRST = 32768;
export const EPHEMERAL_LAST = 60999;

export interface WantedPort {
  /** `80/tcp` */
  key: string;
  containerPort: number;
  proto: 'tcp' | 'udp' | 'sctp';
  /** `''` = every address. */
  hostIp: string;
  /** Inclusive range of acceptable host ports; undefined = an ephemeral one. */
  hostPorts?: [number, number];
}

export function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' | 'sctp' } {
  const [portText = '', protoText = 'tcp'] = key.split('/');
  const port = Number(portText);
  const proto = protoText.toLowerCase();
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw errorOf('invalid-argument', `invalid port specification: "${key}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw errorOf('invalid-argument', `invalid proto: ${protoText}`);
  return { port, proto };
}

function parseHostPorts(text: string, key: string): [number, number] | undefined {
  if (text === '' || text === '0') return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const a = m ? Number(m[1]) : NaN;
  const b = m && m[2] !== undefined ? Number(m[2]) : a;
  if (!m || a < 1 || b > 65535 || b < a) throw errorOf('invalid-argument', `invalid port specification: "${text}" for ${key}`);
  return [a, b];
}

/** The bindings a request asks for, in a stable order. */
export function wantedPorts(req: PortRequest | undefined): WantedPort[] {
  if (!req) return [];
  const out: WantedPort[] = [];
  const bound = new Set<string>();
  for (const key of Object.keys(req.bindings ?? {}).sort()) {
    const { port, proto } = parsePortKey(key);
    const list = req.bindings[key] ?? [];
    const norm = `${port}/${proto}`;
    if (list.length === 0) continue;
    bound.add(norm);
    for (const b of list) {
      let hostIp = b.HostIp ?? '';
      if (hostIp === '0.0.0.0' || hostIp === '::') hostIp = '';
      else if (hostIp.includes(':')) continue; // no IPv6 networks: an IPv6 host address has nothing to forward to
      out.push({ key: norm, containerPort: port, proto, hostIp, hostPorts: parseHostPorts(b.HostPort ?? '', key) });
    }
  }
  if (req.publishAll) {
    const keys = new Set<string>([...Object.keys(req.bindings ?? {}), ...(req.exposed ?? [])]);
    for (const key of [...keys].sort()) {
      const { port, proto } = parsePortKey(key);
      const norm = `${port}/${proto}`;
      if (bound.has(norm)) continue;
      bound.add(norm);
      out.push({ key: norm, containerPort: port, proto, hostIp: '' });
    }
  }
  return out;
}

/** Can `port` be bound on `hostIp` (`''` = all) for `proto`? Binds and lets go at once. */
export function portIsFree(proto: string, hostIp: string, port: number): Promise<boolean> {
  const host = hostIp === '' ? '0.0.0.0' : hostIp;
  if (proto === 'udp') {
    return new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(false);
      });
      s.bind({ port, address: host, exclusive: true }, () => s.close(() => resolve(true)));
    });
  }
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Docker's `NetworkSettings.Ports` entry of one bound port. */
export function addBinding(map: PortMap, key: string, hostIp: string, hostPort: number): void {
  (map[key] ??= []).push({ HostIp: hostIp === '' ? '0.0.0.0' : hostIp, HostPort: String(hostPort) });
}
