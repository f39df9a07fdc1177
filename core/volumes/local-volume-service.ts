import { errorOf, wrap, type MobyError } from '../../lib/errdefs/index.js';
import { pluginNotFound, type Plugin, type PluginStore } from '../plugins/plugin-store.js';
import { LocalDriver } from './local-driver.js';
import { NameLocks } from './name-locks.js';
import { PluginVolumeDriver } from './plugin-volume-driver.js';
import { VolumeDb, type VolumeRecord } from './volume-db.js';
import type { DriverVolume, VolumeDriver } from './volume-driver.js';
import { listPredicate, prunePredicate } from './volume-filters.js';
import { ANONYMOUS_LABEL, formatCreatedAt, generateVolumeName } from './volume-name.js';
import type { Volume, VolumeCreateRequest, VolumeFilters, VolumeService } from './volume-service.js';

export interface LocalVolumeServiceOptions {
  /** `<data-root>/volumes`: `metadata.db` and the local driver's `<name>/_data`. */
  root: string;
  /** Where drivers other than `local` are found; without it only `local` exists. */
  plugins?: PluginStore;
  /** The clock for `CreatedAt`. */
  now?: () => Date;
}

/** Runs `fn`, putting `context: ` in front of any error's message (Docker's `OpErr`). */
async function withContext<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrap(err, context);
  }
}

export function noSuchVolume(name: string): MobyError {
  return errorOf('not-found', `get ${name}: no such volume`);
}

function nameConflict(name: string, detail: string): MobyError {
  return errorOf('conflict', `create ${name}: ${detail}: volume name must be unique`);
}

/**
 * `VolumeService` on this host: records and holders in `<root>/metadata.db`, data through the
 * `local` driver or a legacy volume plugin. Operations on one name are serialized. Which holder
 * mounted what is recorded, so after a restart the holders that still run (containers outlive
 * the engine) are known, and their unmount still reaches the driver.
 */
export class LocalVolumeService implements VolumeService {
  readonly #locks = new NameLocks();
  /** name → holder → host path, for the holders that mounted the volume. */
  readonly #mounted = new Map<string, Map<string, string>>();
  readonly #pluginDrivers = new WeakMap<Plugin, PluginVolumeDriver>();
  #pruning = false;

  private constructor(
    private readonly db: VolumeDb,
    private readonly local: LocalDriver,
    private readonly plugins: PluginStore | undefined,
    private readonly now: () => Date,
  ) {
    for (const { volume, holder, path } of db.allMounts()) {
      const mounted = this.#mounted.get(volume) ?? new Map<string, string>();
      mounted.set(holder, path);
      this.#mounted.set(volume, mounted);
      const rec = db.get(volume);
      if (rec?.driver === 'local') local.adopt(rec);
    }
  }

  static open(options: LocalVolumeServiceOptions): LocalVolumeService {
    return new LocalVolumeService(VolumeDb.open(options.root), new LocalDriver(options.root), options.plugins, options.now ?? (() => new Date()));
  }

  async create(req: VolumeCreateRequest, opts: { anonymous?: boolean } = {}): Promise<Volume> {
    const name = req.Name || generateVolumeName();
    const anonymous = !req.Name || opts.anonymous === true;
    return this.#locks.with(name, async () => {
      const existing = await this.#existingFor(name, req.Driver);
      if (existing !== undefined) return existing;
      const labels = anonymous ? { ...req.Labels, [ANONYMOUS_LABEL]: '' } : (req.Labels ?? null);
      const rec: VolumeRecord = { name, driver: req.Driver || 'local', created: formatCreatedAt(this.now()), labels, options: req.DriverOpts ?? null };
      const driver = await withContext(`create ${name}`, async () => {
        const d = await this.#driver(rec.driver);
        await d.create(rec);
        return d;
      });
      this.db.insert(rec);
      return this.#view(rec, driver, driver === this.local ? undefined : await driver.get(rec).catch(() => undefined));
    });
  }

  async inspect(name: string): Promise<Volume> {
    return this.#locks.with(name, async () => {
      const rec = this.#record(name);
      const [driver, found] = await withContext(`get ${name}`, async () => {
        const d = await this.#driver(rec.driver);
        return [d, await d.get(rec)] as const;
      });
      if (found === undefined) {
        this.#purgeIfUnused(name);
        throw noSuchVolume(name);
      }
      const v = await this.#view(rec, driver, found);
      if (found.Status !== undefined) v.Status = found.Status;
      return v;
    });
  }

  async list(filters?: VolumeFilters): Promise<{ Volumes: Volume[]; Warnings: string[] }> {
    const matches = listPredicate(filters);
    const wanted = filters?.['driver'] ?? [];
    const records = this.db.all().filter((r) => wanted.length === 0 || wanted.includes(r.driver));
    const { volumes, warnings } = await this.#resolveAll(records);
    const holders = this.db.allHolders();
    const Volumes = volumes.filter((v) => matches({ ...v, inUse: this.#holdersOf(v.Name, holders).length > 0 }));
    return { Volumes, Warnings: warnings };
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.#locks.with(name, async () => {
      const rec = this.db.get(name);
      if (rec === undefined) {
        if (opts.force) return;
        throw noSuchVolume(name);
      }
      const holders = this.#holdersOf(name);
      if (holders.length > 0) throw errorOf('conflict', `remove ${name}: volume is in use - [${holders.join(', ')}]`);
      try {
        const driver = await this.#driver(rec.driver);
        // A plugin that no longer has the volume: only the record is left to forget (Docker).
        if (driver === this.local || (await driver.get(rec)) !== undefined) await driver.remove(rec);
      } catch (err) {
        if (!opts.force) throw wrap(err, `remove ${name}`);
      }
      this.db.remove(name);
    });
  }

  async prune(filters?: VolumeFilters): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    const matches = prunePredicate(filters);
    if (this.#pruning) throw errorOf('conflict', 'a prune operation is already running');
    this.#pruning = true;
    try {
      const deleted: string[] = [];
      let reclaimed = 0;
      // Docker prunes only local volumes without mount options: their data is here.
      for (const candidate of this.db.all().filter((r) => r.driver === 'local' && Object.keys(r.options ?? {}).length === 0)) {
        await this.#locks.with(candidate.name, async () => {
          const rec = this.db.get(candidate.name);
          if (rec === undefined || !matches({ Name: rec.name, Driver: rec.driver, Labels: rec.labels, inUse: this.#holdersOf(rec.name).length > 0 })) return;
          const size = await this.local.size(rec).catch(() => 0);
          try {
            await this.local.remove(rec);
          } catch {
            return; // Docker skips what it cannot remove.
          }
          this.db.remove(rec.name);
          deleted.push(rec.name);
          reclaimed += size;
        });
      }
      return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
    } finally {
      this.#pruning = false;
    }
  }

  async usage(): Promise<Volume[]> {
    const { volumes } = await this.#resolveAll(this.db.all());
    const holders = this.db.allHolders();
    const out: Volume[] = [];
    for (const v of volumes) {
      const rec = this.db.get(v.Name);
      const size = rec?.driver === 'local' ? await this.local.size(rec).catch(() => -1) : -1;
      out.push({ ...v, UsageData: { Size: size, RefCount: this.#holdersOf(v.Name, holders).length } });
    }
    return out;
  }

  async acquire(name: string, holder: string): Promise<void> {
    await this.#locks.with(name, async () => {
      this.#record(name);
      this.db.hold(name, holder);
    });
  }

  async release(name: string, holder: string): Promise<void> {
    await this.#locks.with(name, async () => this.db.release(name, holder));
  }

  async mount(name: string, holder: string): Promise<string> {
    return this.#locks.with(name, async () => {
      const rec = this.#record(name);
      const mounted = this.#mounted.get(name) ?? new Map<string, string>();
      const known = mounted.get(holder);
      if (known !== undefined) return known;
      const driver = await withContext(`mount ${name}`, () => this.#driver(rec.driver));
      const path = await driver.mount(rec, holder);
      this.db.mounted(name, holder, path);
      mounted.set(holder, path);
      this.#mounted.set(name, mounted);
      return path;
    });
  }

  async unmount(name: string, holder: string): Promise<void> {
    await this.#locks.with(name, async () => {
      const mounted = this.#mounted.get(name);
      if (mounted === undefined || !mounted.has(holder)) return;
      const rec = this.db.get(name);
      if (rec !== undefined) await (await this.#driver(rec.driver)).unmount(rec, holder);
      this.db.unmounted(name, holder);
      mounted.delete(holder);
      if (mounted.size === 0) this.#mounted.delete(name);
    });
  }

  async close(): Promise<void> {
    this.db.close();
  }

  #record(name: string): VolumeRecord {
    const rec = this.db.get(name);
    if (rec === undefined) throw noSuchVolume(name);
    return rec;
  }

  /** Holders recorded in the database and holders that mounted it, sorted, once each. */
  #holdersOf(name: string, all?: Map<string, string[]>): string[] {
    const recorded = all === undefined ? this.db.holders(name) : (all.get(name) ?? []);
    return [...new Set([...recorded, ...(this.#mounted.get(name)?.keys() ?? [])])].sort();
  }

  #purgeIfUnused(name: string): void {
    if (this.#holdersOf(name).length === 0) this.db.remove(name);
  }

  async #driver(name: string): Promise<VolumeDriver> {
    if (name === 'local') return this.local;
    if (this.plugins === undefined) throw pluginNotFound(name, 'VolumeDriver');
    const plugin = await this.plugins.get(name, 'VolumeDriver');
    let driver = this.#pluginDrivers.get(plugin);
    if (driver === undefined) this.#pluginDrivers.set(plugin, (driver = new PluginVolumeDriver(plugin)));
    return driver;
  }

  /**
   * Docker's idempotent create: the volume of that name when the driver agrees (or none was
   * asked for); a name conflict otherwise. A plugin volume its plugin no longer has, and
   * that nobody holds, is forgotten so that it can be created again.
   */
  async #existingFor(name: string, driverName: string | undefined): Promise<Volume | undefined> {
    const rec = this.db.get(name);
    if (rec === undefined) return undefined;
    if (driverName && driverName !== 'local') await withContext(`create ${name}`, () => this.#driver(driverName));
    const conflict = Boolean(driverName) && driverName !== rec.driver;
    let driver: VolumeDriver;
    let found: DriverVolume | undefined;
    try {
      driver = await this.#driver(rec.driver);
      found = await driver.get(rec);
    } catch (err) {
      throw nameConflict(name, `found reference to volume '${name}' in driver '${rec.driver}', but got an error while checking the driver: ${(err as Error).message}`);
    }
    if (found !== undefined) {
      if (conflict) throw nameConflict(name, `driver '${rec.driver}' already has volume '${name}'`);
      return this.#view(rec, driver, found);
    }
    if (this.#holdersOf(name).length > 0) {
      throw nameConflict(
        name,
        `found references to volume '${name}' in driver '${rec.driver}' but the volume was not found in the driver -- you may need to remove containers referencing this volume or force remove the volume to re-create it`,
      );
    }
    this.db.remove(name);
    return undefined;
  }

  /** Every record as a `Volume`, asking each plugin once for its list; a plugin that fails adds a warning. */
  async #resolveAll(records: VolumeRecord[]): Promise<{ volumes: Volume[]; warnings: string[] }> {
    const volumes: Volume[] = [];
    const warnings: string[] = [];
    const byDriver = new Map<string, VolumeRecord[]>();
    for (const r of records) byDriver.set(r.driver, [...(byDriver.get(r.driver) ?? []), r]);
    for (const [driverName, recs] of byDriver) {
      if (driverName === 'local') {
        for (const r of recs) volumes.push(await this.#view(r, this.local));
        continue;
      }
      let driver: VolumeDriver;
      let listed: DriverVolume[];
      try {
        driver = await this.#driver(driverName);
        listed = await driver.list();
      } catch (err) {
        warnings.push(`list ${driverName}: ${(err as Error).message}`);
        for (const r of recs) volumes.push(this.#offlineView(r));
        continue;
      }
      const stored = new Map(recs.map((r) => [r.name, r]));
      for (const dv of listed) {
        const rec = stored.get(dv.Name) ?? { name: dv.Name, driver: driverName, created: dv.CreatedAt ?? '', labels: null, options: null };
        volumes.push(await this.#view(rec, driver, dv));
      }
    }
    return { volumes: volumes.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)), warnings };
  }

  async #view(rec: VolumeRecord, driver: VolumeDriver, found?: DriverVolume): Promise<Volume> {
    const v: Volume = {
      CreatedAt: rec.created,
      Driver: rec.driver,
      Labels: rec.labels,
      Mountpoint: driver === this.local ? this.local.dataPath(rec.name) : (found?.Mountpoint ?? ''),
      Name: rec.name,
      Options: rec.options,
      Scope: await driver.scope(),
    };
    return v;
  }

  /** A plugin volume as we recorded it, for when its plugin cannot be asked. */
  #offlineView(rec: VolumeRecord): Volume {
    return { CreatedAt: rec.created, Driver: rec.driver, Labels: rec.labels, Mountpoint: '', Name: rec.name, Options: rec.options, Scope: 'local' };
  }
}
