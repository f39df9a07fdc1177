import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';

/** Where legacy plugins announce themselves (Docker's `socketsPath` and `specsPaths`). */
export interface PluginDirs {
  /** Searched for `<name>.sock` and `<name>/<name>.sock`. */
  socketDirs: string[];
  /** Searched for `<name>.spec` (a URL) and `<name>.json` (`{"Name","Addr","TLSConfig"}`). */
  specDirs: string[];
}

export const defaultPluginDirs: PluginDirs = {
  socketDirs: ['/run/docker/plugins'],
  specDirs: ['/etc/docker/plugins', '/usr/lib/docker/plugins'],
};

/** A discovered plugin: its name and the address to call it at. */
export interface PluginAddress {
  Name: string;
  Addr: string;
}

/** A name that stays inside the plugin directories: no separator, no leading dot. */
export function isPluginName(name: string): boolean {
  return name !== '' && !name.includes('/') && !name.includes('\0') && !name.startsWith('.');
}

/** Finds plugin `name`: a socket first, then a `.spec` or `.json` file, in directory order. Undefined when none. */
export async function findPlugin(name: string, dirs: PluginDirs = defaultPluginDirs): Promise<PluginAddress | undefined> {
  if (!isPluginName(name)) return undefined;
  for (const dir of dirs.socketDirs) {
    for (const p of [join(dir, `${name}.sock`), join(dir, name, `${name}.sock`)]) {
      if ((await statOf(p))?.isSocket()) return { Name: name, Addr: `unix://${p}` };
    }
  }
  for (const dir of dirs.specDirs) {
    for (const ext of ['.spec', '.json']) {
      for (const p of [join(dir, name + ext), join(dir, name, name + ext)]) {
        if ((await statOf(p))?.isFile()) return { Name: name, Addr: await readSpec(p) };
      }
    }
  }
  return undefined;
}

/** Every discoverable plugin, sockets first; a name found twice keeps its first address. Unreadable specs are skipped. */
export async function scanPlugins(dirs: PluginDirs = defaultPluginDirs): Promise<PluginAddress[]> {
  const found = new Map<string, PluginAddress>();
  for (const dir of dirs.socketDirs) {
    for (const p of await walk(dir)) {
      const name = basename(p, extname(p));
      if (!found.has(name) && (await statOf(p))?.isSocket()) found.set(name, { Name: name, Addr: `unix://${p}` });
    }
  }
  for (const dir of dirs.specDirs) {
    for (const p of await walk(dir)) {
      const ext = extname(p);
      const name = basename(p, ext);
      if (found.has(name) || (ext !== '.spec' && ext !== '.json')) continue;
      try {
        found.set(name, { Name: name, Addr: await readSpec(p) });
      } catch {
        // A broken spec hides one plugin, not the list.
      }
    }
  }
  return [...found.values()];
}

/** Reads a `.spec` (one URL) or `.json` file; TLS settings in a `.json` are not implemented. */
export async function readSpec(path: string): Promise<string> {
  const text = (await readFile(path, 'utf8')).trim();
  if (!path.endsWith('.json')) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw errorOf('invalid-argument', `plugin spec ${path}: Unknown protocol`);
    return text;
  }
  let spec: { Addr?: unknown; TLSConfig?: Record<string, unknown> | null };
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw errorOf('invalid-argument', `plugin spec ${path}: ${(err as Error).message}`);
  }
  if (typeof spec.Addr !== 'string' || spec.Addr === '') throw errorOf('invalid-argument', `plugin spec ${path}: no Addr`);
  const tls = spec.TLSConfig ?? {};
  if (spec.Addr.startsWith('https://') || ['CAFile', 'CertFile', 'KeyFile'].some((k) => typeof tls[k] === 'string' && tls[k] !== '')) {
    throw errorOf('not-implemented', `plugin spec ${path}: TLS is not implemented`);
  }
  return spec.Addr;
}

async function statOf(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

async function walk(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name)).sort();
  } catch {
    return [];
  }
}
