/**
 * component-registry's state: one record per component of the manifest, kept by init (state,
 * pid, restarts, version) and by component-healthcheck (health). Listeners see every change.
 */
import { errorOf } from '../../lib/errdefs/index.js';
import { Health, State, type Component } from '../../api/moby/component_registry/v1/component_registry.js';

export { Health, State, type Component };

/** Told of every change: the record as it is now, and as it was just before. */
export type ComponentListener = (c: Component, previous: Component) => void;

export class RegistryState {
  readonly #records = new Map<string, Component>();
  readonly #hostOf = new Map<string, string>();
  readonly #listeners = new Set<ComponentListener>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a component of the manifest, STOPPED and of unknown health. */
  declare(c: Pick<Component, 'name' | 'services' | 'socket' | 'placement'>): void {
    this.#records.set(c.name, {
      ...c,
      version: '',
      revision: '',
      health: Health.HEALTH_UNKNOWN,
      state: State.STATE_STOPPED,
      pid: 0,
      restarts: 0,
      changedAtMs: this.now(),
      lastReason: '',
    });
    for (const s of c.services) this.#hostOf.set(s, c.name);
  }

  update(name: string, patch: Partial<Omit<Component, 'name' | 'services' | 'socket' | 'placement'>>): Component {
    const current = this.get(name);
    const next = { ...current, ...patch };
    const changed = (Object.keys(patch) as (keyof Component)[]).some((k) => current[k] !== next[k]);
    if (!changed) return current;
    if (patch.health !== undefined || patch.state !== undefined) next.changedAtMs = this.now();
    this.#records.set(name, next);
    for (const l of this.#listeners) l(next, current);
    return next;
  }

  /**
   * The health checker's verdict on a running component. Ignored when the component is not
   * running: it is about a process that is gone, and init's record of why it went stays.
   */
  reportHealth(name: string, health: Health, detail = '', pid = 0): Component {
    const current = this.get(name);
    if (current.state !== State.STATE_RUNNING) return current;
    // A verdict about a process that has since been replaced says nothing of the new one.
    if (pid !== 0 && pid !== current.pid) return current;
    return this.update(name, { health, ...(detail ? { lastReason: detail } : {}) });
  }

  get(name: string): Component {
    const c = this.#records.get(name);
    if (!c) throw errorOf('not-found', `component ${name}: not found`);
    return c;
  }

  resolve(service: string): Component {
    const host = this.#hostOf.get(service);
    if (host === undefined) throw errorOf('not-found', `service ${service}: no component hosts it`);
    return this.get(host);
  }

  list(): Component[] {
    return [...this.#records.values()];
  }

  subscribe(listener: ComponentListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
