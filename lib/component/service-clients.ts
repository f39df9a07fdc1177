/**
 * Generated gRPC clients of the services a caller uses, each dialled through the registry on
 * first use and dialled again when its service moved to another socket (a restarted or
 * replaced component).
 */
import type { Client } from '@grpc/grpc-js';
import { connect, type ClientConstructor } from './grpc-call.js';
import type { RegistryClient } from './registry-client.js';

export class ServiceClients<C extends Record<string, Client>> {
  readonly #registry: RegistryClient;
  readonly #ctors: { [K in keyof C]: readonly [service: string, ctor: ClientConstructor<C[K]>] };
  readonly #made = new Map<keyof C, { socket: string; client: Client }>();

  constructor(registry: RegistryClient, ctors: { [K in keyof C]: readonly [service: string, ctor: ClientConstructor<C[K]>] }) {
    this.#registry = registry;
    this.#ctors = ctors;
  }

  async get<K extends keyof C>(key: K): Promise<C[K]> {
    const [service, ctor] = this.#ctors[key];
    const { socket } = await this.#registry.resolve(service);
    const had = this.#made.get(key);
    if (had && had.socket === socket) return had.client as C[K];
    had?.client.close();
    const client = connect(ctor, socket);
    this.#made.set(key, { socket, client });
    return client;
  }

  close(): void {
    for (const { client } of this.#made.values()) client.close();
    this.#made.clear();
  }
}
