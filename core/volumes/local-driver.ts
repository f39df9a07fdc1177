import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorOf, wrap } from '../../lib/errdefs/index.js';
import { MNT_DETACH, MS_BIND, MS_RDONLY, MS_REMOUNT, mount, umount2, SyscallError } from '../sys/index.js';
import { dirSize } from './dir-size.js';
import { parseMountOptions } from './mount-options.js';
import type { VolumeRecord } from './volume-db.js';
import type { DriverVolume, VolumeDriver } from './volume-driver.js';
import { localNameError } from './volume-name.js';

const validOptions = new Set(['type', 'o', 'device', 'size']);
// Checked in this order, so the first missing one named is stable.
const requiredWith: [string, string[]][] = [
  ['device', ['type']],
  ['type', ['device']],
  ['o', ['device', 'type']],
];

/**
 * Docker's `local` driver: `<root>/<name>/_data` (0701 above, 0755 for `_data`). With
 * `type`/`device`/`o` options, `_data` gets that mount at the first `mount` and loses it when
 * the last holder unmounts (counted in memory, as Docker does).
 */
export class LocalDriver implements VolumeDriver {
  readonly name = 'local';
  readonly #mounts = new Map<string, number>();

  constructor(readonly root: string) {}

  dataPath(name: string): string {
    return join(this.#volumeDir(name), '_data');
  }

  async scope(): Promise<'local'> {
    return 'local';
  }

  async create(rec: VolumeRecord): Promise<void> {
    const nameError = localNameError(rec.name);
    if (nameError !== undefined) throw errorOf('invalid-argument', nameError);
    validateLocalOptions(rec.options);
    const dir = this.#volumeDir(rec.name);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o701);
    mkdirSync(join(dir, '_data'), { recursive: true });
    chmodSync(join(dir, '_data'), 0o755);
  }

  async get(rec: VolumeRecord): Promise<DriverVolume | undefined> {
    return existsSync(this.dataPath(rec.name)) ? { Name: rec.name, Mountpoint: this.dataPath(rec.name) } : undefined;
  }

  async list(): Promise<DriverVolume[]> {
    const names = existsSync(this.root) ? readdirSync(this.root).filter((n) => localNameError(n) === undefined && existsSync(this.dataPath(n))) : [];
    return names.sort().map((n) => ({ Name: n, Mountpoint: this.dataPath(n) }));
  }

  async remove(rec: VolumeRecord): Promise<void> {
    if ((this.#mounts.get(rec.name) ?? 0) > 0) throw errorOf('conflict', 'volume is in use');
    const data = this.dataPath(rec.name);
    if (needsMount(rec.options)) tryUnmount(data, MNT_DETACH);
    if (isMountPoint(data)) throw errorOf('failed-precondition', `${data} is still a mount point; not removing its contents`);
    rmSync(this.#volumeDir(rec.name), { recursive: true, force: true });
  }

  async mount(rec: VolumeRecord, _holder: string): Promise<string> {
    const data = this.dataPath(rec.name);
    const count = this.#mounts.get(rec.name) ?? 0;
    if (count === 0 && needsMount(rec.options) && !isMountPoint(data)) mountDevice(rec.options!, data);
    this.#mounts.set(rec.name, count + 1);
    return data;
  }

  /** Counts a mount made before a restart (its device, if any, is still mounted). */
  adopt(rec: VolumeRecord): void {
    this.#mounts.set(rec.name, (this.#mounts.get(rec.name) ?? 0) + 1);
  }

  async unmount(rec: VolumeRecord, _holder: string): Promise<void> {
    const count = this.#mounts.get(rec.name) ?? 0;
    if (count > 1) {
      this.#mounts.set(rec.name, count - 1);
      return;
    }
    if (needsMount(rec.options)) {
      try {
        tryUnmount(this.dataPath(rec.name));
      } catch (err) {
        throw wrap(err, `error while unmounting volume path '${this.dataPath(rec.name)}'`);
      }
    }
    this.#mounts.delete(rec.name);
  }

  async size(rec: VolumeRecord): Promise<number> {
    return dirSize(this.dataPath(rec.name));
  }

  #volumeDir(name: string): string {
    const dir = resolve(this.root, name);
    if (localNameError(name) !== undefined || resolve(dir, '..') !== resolve(this.root)) {
      throw errorOf('invalid-argument', `${JSON.stringify(name)} is not a local volume name`);
    }
    return dir;
  }
}

/** Docker's `validateOpts` of the local driver, with its messages. */
export function validateLocalOptions(options: Record<string, string> | null): void {
  if (options === null) return;
  for (const key of Object.keys(options)) {
    if (!validOptions.has(key)) throw errorOf('invalid-argument', `invalid option: ${JSON.stringify(key)}`);
  }
  if (options['type'] === 'cifs' && options['device']) {
    let port = '';
    try {
      port = new URL(options['device'], 'cifs://device/').port;
    } catch {
      throw errorOf('invalid-argument', 'error parsing mount device url');
    }
    if (port !== '') throw errorOf('invalid-argument', "port not allowed in CIFS device URL, include 'port' in 'o='");
  }
  if ('size' in options) {
    if (!/^\s*\d+(\.\d+)?\s*([kmgtp]i?b?|b)?\s*$/i.test(options['size']!)) throw errorOf('invalid-argument', `invalid size: '${options['size']}'`);
    if (parseFloat(options['size']!) > 0) throw errorOf('invalid-argument', 'quota size requested but no quota support');
  }
  for (const [key, needs] of requiredWith) {
    if (!(key in options)) continue;
    for (const need of needs) if (!(need in options)) throw errorOf('invalid-argument', `missing required option: ${JSON.stringify(need)}`);
  }
}

function needsMount(options: Record<string, string> | null): boolean {
  return Boolean(options?.['device'] || options?.['type']);
}

function mountDevice(options: Record<string, string>, target: string): void {
  const device = options['device'];
  if (!device) throw errorOf('invalid-argument', 'missing device in volume options');
  const { flags, propagation, data } = parseMountOptions(options['o']);
  try {
    mount(device, target, options['type'] || null, flags, data);
    try {
      if (propagation !== 0) mount(null, target, null, propagation);
      // A bind mount ignores MS_RDONLY until remounted.
      if (flags & MS_BIND && flags & MS_RDONLY) mount(null, target, null, flags | MS_REMOUNT);
    } catch (err) {
      tryUnmount(target, MNT_DETACH);
      throw err;
    }
  } catch (err) {
    const message = (err as Error).message.replace(/password=[^,]*/g, 'password=********');
    throw errorOf(err instanceof SyscallError ? err.kind : 'internal', `failed to mount local volume: ${message}`, err);
  }
}

/** umount2, where "not mounted" (EINVAL) is fine. */
function tryUnmount(target: string, flags = 0): void {
  try {
    umount2(target, flags);
  } catch (err) {
    if (!(err instanceof SyscallError && (err.code === 'EINVAL' || err.code === 'ENOENT'))) throw err;
  }
}

/** Whether `path` is a mount point, from `/proc/self/mountinfo`. */
export function isMountPoint(path: string): boolean {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return false;
  }
  const target = resolve(path);
  return info.split('\n').some((line) => {
    const field = line.split(' ')[4];
    return field !== undefined && field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) === target;
  });
}
