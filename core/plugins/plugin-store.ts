import { errorOf, type MobyError } from '../../lib/errdefs/index.js';
import { defaultPluginDirs, findPlugin, scanPlugins, type PluginAddress, type PluginDirs } from './discovery.js';
import { PluginClient, type PluginClientOptions } from './plugin-client.js';

/**
 * Docker's legacy plugins (`pkg/plugins`): found by name in the plugin directories,
 * activated once with `/Plugin.Activate` (`{"Implements": [...]}`), then called over
 * HTTP. The store caches activated plugins until `close()`; a failed activation is not
 * cached, so a plugin that was down is tried again next time.
 */

/** The capabilities Docker knows, as a plugin lists them in `Implements`. */
export type PluginCapability = 'VolumeDriver' | 'NetworkDriver' | 'IpamDriver' | 'authz' | 'LogDriver' | (string & {});

/** An activated plugin: its address, what it implements and a client to call it. */
export interface Plugin {
  readonly name: string;
  readonly addr: string;
  readonly implements: readonly string[];
  /** `POST /<method>` with `args` as JSON; an `{"Err"}` answer throws a `MobyError` with that text. */
  call<T>(method: string, args?: unknown): Promise<T>;
}

export interface PluginInfo extends PluginAddress {
  /** Present when the plugin was activated (always, when `list` was given a capability). */
  Implements?: string[];
}

export interface PluginStoreOptions extends PluginClientOptions {
  /** Default: Docker's `/run/docker/plugins`, `/etc/docker/plugins`, `/usr/lib/docker/plugins`. */
  dirs?: Partial<PluginDirs>;
}

/** The noun Docker puts in `error looking up <noun> plugin x`. */
const nounOf: Record<string, string> = {
  VolumeDriver: 'volume',
  NetworkDriver: 'network',
  IpamDriver: 'ipam',
  authz: 'authorization',
  LogDriver: 'logging',
};

export function pluginNotFound(name: string, capability: PluginCapability): MobyError {
  return errorOf('not-found', `error looking up ${nounOf[capability] ?? capability} plugin ${name}: plugin "${name}" not found`);
}

export class PluginStore {
  readonly #dirs: PluginDirs;
  readonly #clientOptions: PluginClientOptions;
  readonly #active = new Map<string, Promise<ActivePlugin>>();
  #closed = false;

  constructor(options: PluginStoreOptions = {}) {
    this.#dirs = { ...defaultPluginDirs, ...options.dirs };
    this.#clientOptions = { timeoutMs: options.timeoutMs, retryMs: options.retryMs };
  }

  /**
   * The activated plugin `name` if it implements `capability`. Not discoverable, or not
   * implementing it: `not-found` (`error looking up volume plugin x: plugin "x" not found`).
   * A plugin that is found but cannot be reached: that error (`unavailable`, `deadline-exceeded`).
   */
  async get(name: string, capability: PluginCapability): Promise<Plugin> {
    const plugin = await this.#activate(name, () => pluginNotFound(name, capability));
    if (!plugin.implements.includes(capability)) throw pluginNotFound(name, capability);
    return plugin;
  }

  /**
   * Every discoverable plugin. With a capability, each is activated and only those that
   * implement it are listed; one that fails to activate is left out.
   */
  async list(capability?: PluginCapability): Promise<PluginInfo[]> {
    const found = await scanPlugins(this.#dirs);
    const out: PluginInfo[] = [];
    for (const p of found) {
      const cached = this.#active.get(p.Name);
      const plugin = capability === undefined ? await cached?.catch(() => undefined) : await this.get(p.Name, capability).catch(() => undefined);
      if (capability !== undefined && plugin === undefined) continue;
      out.push(plugin === undefined ? p : { Name: p.Name, Addr: plugin.addr, Implements: [...plugin.implements] });
    }
    return out;
  }

  /** Forgets every activation and closes the clients' connections. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#active.values()];
    this.#active.clear();
    for (const p of await Promise.allSettled(all)) if (p.status === 'fulfilled') p.value.close();
  }

  #activate(name: string, notFound: () => MobyError): Promise<ActivePlugin> {
    if (this.#closed) return Promise.reject(errorOf('failed-precondition', 'plugin store is closed'));
    let pending = this.#active.get(name);
    if (pending === undefined) {
      pending = (async () => {
        const found = await findPlugin(name, this.#dirs);
        if (found === undefined) throw notFound();
        return ActivePlugin.activate(found, this.#clientOptions);
      })();
      this.#active.set(name, pending);
      pending.catch(() => {
        if (this.#active.get(name) === pending) this.#active.delete(name);
      });
    }
    return pending;
  }
}

class ActivePlugin implements Plugin {
  readonly implements: readonly string[];

  private constructor(
    readonly name: string,
    private readonly client: PluginClient,
    capabilities: readonly string[],
  ) {
    this.implements = capabilities;
  }

  get addr(): string {
    return this.client.addr;
  }

  static async activate(found: PluginAddress, options: PluginClientOptions): Promise<ActivePlugin> {
    const client = new PluginClient(found.Addr, options);
    try {
      const answer = await client.call<{ Implements?: unknown }>('Plugin.Activate');
      const impl = Array.isArray(answer.Implements) ? answer.Implements.filter((i): i is string => typeof i === 'string') : [];
      return new ActivePlugin(found.Name, client, impl);
    } catch (err) {
      client.close();
      throw err;
    }
  }

  call<T>(method: string, args?: unknown): Promise<T> {
    return this.client.call<T>(method, args);
  }

  close(): void {
    this.client.close();
  }
}
