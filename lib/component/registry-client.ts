/**
 * A client of component-registry: where is service X, and a dialer for what a component requires.
 */
import type { Client } from '@grpc/grpc-js';
import {
  ComponentRegistryClient as GeneratedClient,
  type Component,
  type Health,
} from '../../api/moby/component_registry/v1/component_registry.js';
import { connect, unary, type ClientConstructor } from './grpc-call.js';

export type { Component };

export class RegistryClient {
  readonly #client: InstanceType<typeof GeneratedClient>;
  readonly #dialed = new Map<string, Client>();

  constructor(readonly socket: string) {
    this.#client = connect(GeneratedClient, socket);
  }

  async resolve(service: string, timeoutMs = 5000): Promise<Component> {
    const res = await unary(this.#client.resolve.bind(this.#client), { service }, { timeoutMs });
    return res.component!;
  }

  async list(timeoutMs = 5000): Promise<Component[]> {
    return (await unary(this.#client.list.bind(this.#client), {}, { timeoutMs })).components;
  }

  async reportHealth(component: string, health: Health, detail = '', pid = 0, timeoutMs = 2000): Promise<void> {
    await unary(this.#client.reportHealth.bind(this.#client), { component, health, detail, pid }, { timeoutMs });
  }

  /**
   * Streams every component record, then each change. `onEnd` is called when the stream
   * ends for any reason (the registry restarting included); the caller decides to re-watch.
   */
  watch(onComponent: (c: Component) => void, onEnd: (err?: Error) => void): () => void {
    const call = this.#client.watch({});
    call.on('data', (ev: { component?: Component }) => ev.component && onComponent(ev.component));
    call.on('error', (err) => onEnd(err));
    call.on('end', () => onEnd());
    return () => call.cancel();
  }

  /** A client of the component hosting `service`, found through the registry; one per service. */
  async dial<C extends Client>(service: string, ctor: ClientConstructor<C>): Promise<C> {
    const known = this.#dialed.get(service);
    if (known) return known as C;
    const component = await this.resolve(service);
    const client = connect(ctor, component.socket);
    this.#dialed.set(service, client);
    return client;
  }

  close(): void {
    for (const c of this.#dialed.values()) c.close();
    this.#dialed.clear();
    this.#client.close();
  }
}
