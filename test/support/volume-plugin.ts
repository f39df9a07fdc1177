/**
 * A real legacy volume plugin for tests: an HTTP server on `<dir>/<name>.sock` that answers
 * `Plugin.Activate` (`VolumeDriver`) and every `VolumeDriver.*` method, keeping each volume as
 * a directory `<dataDir>/<volume>` and the mount IDs in memory. `requests` lists the methods
 * called, in order (`VolumeDriver.Create`…).
 */
import { mkdirSync, readdirSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

export interface VolumePluginHandle {
  socketPath: string;
  requests: string[];
  /** Every call with its decoded arguments, in order (`{ method: 'VolumeDriver.Mount', args: { Name, ID } }`). */
  calls: { method: string; args: Args }[];
  /** Stops listening and removes the socket file. */
  close(): Promise<void>;
}

export interface VolumePluginOptions {
  dir: string;
  name: string;
  dataDir: string;
  /** Answered by `VolumeDriver.Capabilities`. Default `local`. */
  scope?: 'local' | 'global';
}

export type Args = { Name?: string; ID?: string; Opts?: Record<string, string> | null };
type Handler = (args: Args) => Record<string, unknown>;

export async function startVolumePlugin({ dir, name, dataDir, scope = 'local' }: VolumePluginOptions): Promise<VolumePluginHandle> {
  mkdirSync(dir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const socketPath = join(dir, `${name}.sock`);
  const requests: string[] = [];
  const calls: { method: string; args: Args }[] = [];
  const mounts = new Map<string, Set<string>>();
  const volumePath = (v: string) => join(dataDir, v);
  const exists = (v: string | undefined): v is string => v !== undefined && /^[^/.][^/]*$/.test(v) && existsSync(volumePath(v));
  const noSuch = (v: string | undefined) => ({ Err: `no such volume: ${v}` });

  const handlers: Record<string, Handler> = {
    'Plugin.Activate': () => ({ Implements: ['VolumeDriver'] }),
    'VolumeDriver.Create': ({ Name, Opts }) => {
      if (Name === undefined || !/^[^/.][^/]*$/.test(Name)) return { Err: `bad volume name ${Name}` };
      if (Opts?.['fail'] !== undefined) return { Err: Opts['fail'] };
      mkdirSync(volumePath(Name), { recursive: true });
      return { Err: '' };
    },
    'VolumeDriver.Remove': ({ Name }) => {
      if (!exists(Name)) return noSuch(Name);
      if ((mounts.get(Name)?.size ?? 0) > 0) return { Err: `volume ${Name} is mounted` };
      rmSync(volumePath(Name), { recursive: true, force: true });
      return { Err: '' };
    },
    'VolumeDriver.Mount': ({ Name, ID }) => {
      if (!exists(Name)) return noSuch(Name);
      const ids = mounts.get(Name) ?? new Set<string>();
      ids.add(ID ?? '');
      mounts.set(Name, ids);
      return { Mountpoint: volumePath(Name), Err: '' };
    },
    'VolumeDriver.Unmount': ({ Name, ID }) => {
      if (!exists(Name)) return noSuch(Name);
      mounts.get(Name)?.delete(ID ?? '');
      return { Err: '' };
    },
    'VolumeDriver.Path': ({ Name }) => (exists(Name) ? { Mountpoint: mountpointOf(Name), Err: '' } : noSuch(Name)),
    'VolumeDriver.Get': ({ Name }) =>
      exists(Name) ? { Volume: { Name, Mountpoint: mountpointOf(Name), Status: { mounts: mounts.get(Name)?.size ?? 0 } }, Err: '' } : noSuch(Name),
    'VolumeDriver.List': () => ({
      Volumes: readdirSync(dataDir).sort().map((v) => ({ Name: v, Mountpoint: mountpointOf(v) })),
      Err: '',
    }),
    'VolumeDriver.Capabilities': () => ({ Capabilities: { Scope: scope } }),
  };
  // Docker reports a plugin volume's Mountpoint only while it is mounted.
  function mountpointOf(v: string): string {
    return (mounts.get(v)?.size ?? 0) > 0 ? volumePath(v) : '';
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\//, '');
      requests.push(method);
      const handler = req.method === 'POST' ? handlers[method] : undefined;
      let status = 200;
      let answer: Record<string, unknown>;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const args = (text.trim() === '' ? {} : JSON.parse(text)) as Args;
        calls.push({ method, args });
        answer = handler === undefined ? { Err: `unknown method ${method}` } : handler(args);
        if (handler === undefined) status = 404;
        else if (typeof answer['Err'] === 'string' && answer['Err'] !== '') status = 500;
      } catch (err) {
        status = 500;
        answer = { Err: String(err) };
      }
      res.writeHead(status, { 'Content-Type': 'application/vnd.docker.plugins.v1.2+json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });

  return {
    socketPath,
    requests,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(socketPath, { force: true });
          resolve();
        });
      }),
  };
}
