import type { Plugin } from '../plugins/plugin-store.js';
import type { VolumeRecord } from './volume-db.js';
import type { DriverVolume, VolumeDriver } from './volume-driver.js';

interface WireVolume {
  Name?: string;
  Mountpoint?: string;
  Status?: Record<string, unknown> | null;
  CreatedAt?: string;
}

function fromWire(v: WireVolume, name = ''): DriverVolume {
  const out: DriverVolume = { Name: v.Name ?? name, Mountpoint: v.Mountpoint ?? '' };
  if (v.Status) out.Status = v.Status;
  if (v.CreatedAt) out.CreatedAt = v.CreatedAt;
  return out;
}

/**
 * A legacy volume plugin's `/VolumeDriver.*` protocol
 * (https://docs.docker.com/engine/extend/plugins_volume/). The plugin counts mounts by `ID`
 * itself; the answers' `Err` reaches the caller as the error message.
 */
export class PluginVolumeDriver implements VolumeDriver {
  #scope: Promise<'local' | 'global'> | undefined;

  constructor(private readonly plugin: Plugin) {}

  get name(): string {
    return this.plugin.name;
  }

  /** `Capabilities.Scope`; `local` when missing, unknown or unanswered (as Docker). Asked once. */
  scope(): Promise<'local' | 'global'> {
    this.#scope ??= this.plugin
      .call<{ Capabilities?: { Scope?: string } }>('VolumeDriver.Capabilities', {})
      .then((a) => (a.Capabilities?.Scope === 'global' ? 'global' : 'local') as 'local' | 'global')
      .catch(() => 'local' as const);
    return this.#scope;
  }

  async create(rec: VolumeRecord): Promise<void> {
    await this.plugin.call('VolumeDriver.Create', { Name: rec.name, Opts: rec.options });
  }

  /** An `Err` answer means the plugin does not have it; a failed call throws. */
  async get(rec: VolumeRecord): Promise<DriverVolume | undefined> {
    let answer: { Volume?: WireVolume | null };
    try {
      answer = await this.plugin.call('VolumeDriver.Get', { Name: rec.name });
    } catch (err) {
      if (isPluginAnswer(err)) return undefined;
      throw err;
    }
    if (!answer.Volume) return undefined;
    const vol = fromWire(answer.Volume, rec.name);
    if (vol.Mountpoint === '') vol.Mountpoint = await this.path(rec).catch(() => '');
    return vol;
  }

  /** `/VolumeDriver.Path`: where the data is, '' while the plugin does not say. */
  async path(rec: VolumeRecord): Promise<string> {
    return (await this.plugin.call<{ Mountpoint?: string }>('VolumeDriver.Path', { Name: rec.name })).Mountpoint ?? '';
  }

  async list(): Promise<DriverVolume[]> {
    const answer = await this.plugin.call<{ Volumes?: WireVolume[] | null }>('VolumeDriver.List', {});
    return (answer.Volumes ?? []).filter((v) => typeof v.Name === 'string' && v.Name !== '').map((v) => fromWire(v));
  }

  async remove(rec: VolumeRecord): Promise<void> {
    await this.plugin.call('VolumeDriver.Remove', { Name: rec.name });
  }

  async mount(rec: VolumeRecord, holder: string): Promise<string> {
    const answer = await this.plugin.call<{ Mountpoint?: string }>('VolumeDriver.Mount', { Name: rec.name, ID: holder });
    return answer.Mountpoint ?? '';
  }

  async unmount(rec: VolumeRecord, holder: string): Promise<void> {
    await this.plugin.call('VolumeDriver.Unmount', { Name: rec.name, ID: holder });
  }

  async size(): Promise<number> {
    return -1;
  }
}

/** The plugin answered (with an `Err`), as opposed to not being reachable. */
function isPluginAnswer(err: unknown): boolean {
  const kind = (err as { kind?: string }).kind;
  return kind !== 'unavailable' && kind !== 'deadline-exceeded';
}
