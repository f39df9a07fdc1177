import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import type { Volume, VolumeCreateRequest, VolumeService } from '../volumes/volume-service.js';

/**
 * A small in-memory `VolumeService` for these tests: volumes live under
 * `root/<name>/_data` (created on `create`), holders and mounts are counted,
 * every call is logged, and a call can be made to fail once.
 */
export class FakeVolumes implements VolumeService {
  readonly volumes = new Map<string, { volume: Volume; anonymous: boolean; holders: Set<string>; mounts: number }>();
  readonly calls: string[] = [];
  failNext: Partial<Record<keyof VolumeService, Error>> = {};

  constructor(private readonly root: string) {}

  private fail(op: keyof VolumeService): void {
    const err = this.failNext[op];
    if (err) {
      delete this.failNext[op];
      throw err;
    }
  }

  private get(name: string) {
    const v = this.volumes.get(name);
    if (!v) throw errorOf('not-found', `get ${name}: no such volume`);
    return v;
  }

  async create(req: VolumeCreateRequest, opts?: { anonymous?: boolean }): Promise<Volume> {
    this.calls.push(`create ${req.Name ?? '<anon>'} ${req.Driver ?? ''} ${opts?.anonymous ? 'anonymous' : ''}`.trimEnd());
    this.fail('create');
    const name = req.Name || randomBytes(32).toString('hex');
    const existing = this.volumes.get(name);
    if (existing) {
      if (req.Driver && req.Driver !== existing.volume.Driver) throw errorOf('conflict', `create ${name}: volume name must be unique`);
      return existing.volume;
    }
    const mountpoint = join(this.root, name, '_data');
    await mkdir(mountpoint, { recursive: true });
    const volume: Volume = {
      CreatedAt: new Date().toISOString(), Driver: req.Driver ?? 'local', Labels: req.Labels ?? null, Mountpoint: mountpoint,
      Name: name, Options: req.DriverOpts ?? null, Scope: 'local',
    };
    this.volumes.set(name, { volume, anonymous: !!opts?.anonymous, holders: new Set(), mounts: 0 });
    return volume;
  }

  async inspect(name: string): Promise<Volume> {
    this.calls.push(`inspect ${name}`);
    return this.get(name).volume;
  }

  async list(): Promise<{ Volumes: Volume[]; Warnings: string[] }> {
    return { Volumes: [...this.volumes.values()].map((v) => v.volume), Warnings: [] };
  }

  async remove(name: string): Promise<void> {
    this.calls.push(`remove ${name}`);
    this.fail('remove');
    const v = this.get(name);
    if (v.holders.size > 0) throw errorOf('conflict', `remove ${name}: volume is in use - [${[...v.holders].join(', ')}]`);
    this.volumes.delete(name);
  }

  async prune(): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    return { VolumesDeleted: null, SpaceReclaimed: 0 };
  }

  async usage(): Promise<Volume[]> {
    return [...this.volumes.values()].map((v) => v.volume);
  }

  async acquire(name: string, holder: string): Promise<void> {
    this.calls.push(`acquire ${name} ${holder}`);
    this.fail('acquire');
    this.get(name).holders.add(holder);
  }

  async release(name: string, holder: string): Promise<void> {
    this.calls.push(`release ${name} ${holder}`);
    this.fail('release');
    this.get(name).holders.delete(holder);
  }

  async mount(name: string, holder: string): Promise<string> {
    this.calls.push(`mount ${name} ${holder}`);
    this.fail('mount');
    const v = this.get(name);
    v.mounts++;
    return v.volume.Mountpoint;
  }

  async unmount(name: string, holder: string): Promise<void> {
    this.calls.push(`unmount ${name} ${holder}`);
    this.fail('unmount');
    this.get(name).mounts--;
  }

  async close(): Promise<void> {}
}
