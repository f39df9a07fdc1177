/**
 * component-init: starts the manifest's components in order, each on its own socket, waits
 * for each to be SERVING, keeps the registry's records, restarts what dies, and stops
 * everything in reverse order. Each change of a record is published as a component event
 * (`component-event-publisher.ts`) when the manifest has an `events` service.
 */
import { join } from 'node:path';
import { componentSocket, repoRoot, type EngineRoots } from '../../lib/component/paths.js';
import { startComponent, type HostedService, type RunningComponent } from '../../lib/component/component-host.js';
import type { Logger } from '../../lib/component/log.js';
import { buildInfo } from '../../lib/component/version.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { dependenciesOf, initService, registryService, type ComponentSpec, type Manifest } from '../../lib/manifest/index.js';
import { loadFactory } from '../catalog.js';
import { eventsServiceName } from '../events/client.js';
import { Health, RegistryState, State } from '../registry/registry-state.js';
import { registryBinding } from '../registry/service.js';
import { ComponentEventPublisher } from './component-event-publisher.js';
import { initBinding } from './init-service.js';
import { ProcessComponent } from './process-component.js';
import { RestartBudget, defaultRestartPolicy, type RestartPolicy } from './restart-budget.js';

export interface SupervisorOptions {
  manifest: Manifest;
  roots: EngineRoots;
  log: Logger;
  restartPolicy?: RestartPolicy;
  /** How long stopping waits for component events to reach `events` before stopping its host; default 1 s. */
  eventsFlushMs?: number;
}

type Running = { kind: 'inline'; component: RunningComponent } | { kind: 'process'; component: ProcessComponent };

export class Supervisor {
  readonly registry = new RegistryState();
  readonly #running = new Map<string, Running>();
  readonly #initComponent: ComponentSpec;
  readonly #events: ComponentEventPublisher | undefined;

  constructor(private readonly o: SupervisorOptions) {
    this.#initComponent = o.manifest.components.find((c) => c.services.some((s) => s.name === initService))!;
    for (const c of o.manifest.components) {
      this.registry.declare({ name: c.name, services: c.services.map((s) => s.name), socket: this.socketOf(c.name), placement: c.placement });
    }
    if (o.manifest.components.some(hostsEvents)) {
      this.#events = new ComponentEventPublisher({ registry: this.registry, log: o.log.child({ component: this.#initComponent.name, publisher: 'component-events' }) });
    }
  }

  socketOf(component: string): string {
    return componentSocket(this.o.roots.execRoot, component);
  }

  get registrySocket(): string {
    return this.socketOf(this.#initComponent.name);
  }

  /**
   * Starts every component as soon as the components it depends on are SERVING (independent
   * ones in parallel); on failure stops what started and throws the first error.
   */
  async start(): Promise<void> {
    const components = this.o.manifest.components;
    const starting = new Map<string, Promise<void>>();
    const startOne = (c: ComponentSpec): Promise<void> => {
      let p = starting.get(c.name);
      if (!p) {
        p = (async () => {
          await Promise.all(dependenciesOf(c, components).map((d) => startOne(components.find((x) => x.name === d)!)));
          if (c.placement === 'inline') await this.#startInline(c);
          else await this.#startProcess(c);
        })();
        starting.set(c.name, p);
      }
      return p;
    };
    const results = await Promise.allSettled(components.map(startOne));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.stop();
      throw failed.reason;
    }
  }

  /** Restarts a component's process; inline components share init's process and cannot be. */
  restart(name: string, reason: string): void {
    const r = this.#running.get(name);
    if (!r) throw errorOf('not-found', `component ${name}: not found`);
    if (r.kind === 'inline') throw errorOf('failed-precondition', `component ${name} runs inside init and cannot be restarted alone`);
    this.o.log.warn('restarting component', { target: name, reason });
    r.component.kill(reason);
  }

  /**
   * Stops every started component in reverse start order. The component events published so
   * far get a moment to reach `events` before its host stops; none are published after.
   */
  async stop(): Promise<void> {
    for (const c of [...this.o.manifest.components].reverse()) {
      const r = this.#running.get(c.name);
      if (!r) continue;
      this.#running.delete(c.name);
      if (hostsEvents(c)) {
        await this.#events?.flush(this.o.eventsFlushMs ?? 1000);
        this.#events?.close();
      }
      try {
        if (r.kind === 'inline') {
          await r.component.close();
          this.registry.update(c.name, { state: State.STATE_STOPPED, health: Health.HEALTH_UNKNOWN, pid: 0 });
        } else {
          await r.component.stop();
        }
      } catch (err) {
        this.o.log.error('component stop failed', { target: c.name, err });
      }
    }
    this.#events?.close();
  }

  async #startInline(c: ComponentSpec): Promise<void> {
    const services: HostedService[] = [];
    for (const s of c.services) {
      services.push({ ...s, factory: s.name === initService || s.name === registryService ? this.#ownFactory(s.name) : await loadFactory(s.name, s.implementation) });
    }
    this.registry.update(c.name, { state: State.STATE_STARTING });
    const component = await startComponent({
      name: c.name,
      socket: this.socketOf(c.name),
      registrySocket: this.registrySocket,
      roots: this.o.roots,
      services,
      log: this.o.log.child({ component: c.name }),
    });
    this.#running.set(c.name, { kind: 'inline', component });
    this.registry.update(c.name, { state: State.STATE_RUNNING, health: Health.HEALTH_SERVING, pid: process.pid, ...buildInfo() });
  }

  #ownFactory(service: string) {
    return () => ({ grpc: [service === initService ? initBinding(this) : registryBinding(this.registry)] });
  }

  async #startProcess(c: ComponentSpec): Promise<void> {
    const component = new ProcessComponent({
      env: { name: c.name, services: c.services, socket: this.socketOf(c.name), registrySocket: this.registrySocket, roots: this.o.roots },
      command: c.command ?? [process.execPath, ...process.execArgv, join(repoRoot, 'dist', 'components', 'host', 'main.js')],
      registry: this.registry,
      budget: new RestartBudget(this.o.restartPolicy ?? defaultRestartPolicy),
      log: this.o.log.child({ component: c.name }),
    });
    this.#running.set(c.name, { kind: 'process', component });
    await component.start();
  }
}

function hostsEvents(c: ComponentSpec): boolean {
  return c.services.some((s) => s.name === eventsServiceName);
}
