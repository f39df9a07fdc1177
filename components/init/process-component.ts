/**
 * One supervised component process: started, watched until SERVING, restarted with backoff
 * when it dies or is killed for failing health checks, marked FAILED when it dies too often,
 * stopped with SIGTERM (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { errorOf } from '../../lib/errdefs/index.js';
import { connect, unary } from '../../lib/component/grpc-call.js';
import type { Logger } from '../../lib/component/log.js';
import { VersionClient } from '../../api/moby/version/v1/version.js';
import { Health, State, type RegistryState } from '../registry/registry-state.js';
import { componentEnvVar, encodeComponentEnv, type ComponentEnv } from './component-env.js';
import type { RestartBudget } from './restart-budget.js';
import { waitServing } from './wait-serving.js';

export interface ProcessComponentOptions {
  env: ComponentEnv;
  /** argv: `[node, host-main.js]` for our own components, or the manifest's `command`. */
  command: string[];
  registry: RegistryState;
  budget: RestartBudget;
  log: Logger;
  startTimeoutMs?: number;
  stopGraceMs?: number;
}

export class ProcessComponent {
  #child?: ChildProcess;
  #exited?: Promise<void>;
  #stopping = false;
  #killReason?: string;
  #restartTimer?: NodeJS.Timeout;
  #restarts = 0;

  constructor(private readonly o: ProcessComponentOptions) {}

  get name(): string {
    return this.o.env.name;
  }

  /** First start, retried within the restart budget; throws if the component never serves. */
  async start(): Promise<void> {
    for (;;) {
      try {
        return await this.#launch();
      } catch (err) {
        const d = this.o.budget.onDeath();
        if (!d.restart || this.#stopping) {
          this.#update({ state: State.STATE_FAILED, lastReason: (err as Error).message });
          throw errorOf('unavailable', `component ${this.name}: ${(err as Error).message}`);
        }
        this.o.log.warn('component failed to start, retrying', { err, delayMs: d.delayMs });
        await new Promise((r) => setTimeout(r, d.delayMs));
      }
    }
  }

  /** Kills the process so that it is started again; the reason shows in the registry. */
  kill(reason: string): void {
    if (!this.#child || this.#stopping) return;
    this.#killReason = reason;
    this.#child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.stopGraceMs ?? 3000);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#update({ state: State.STATE_STOPPED, health: Health.HEALTH_UNKNOWN, pid: 0 });
  }

  async #launch(): Promise<void> {
    const [cmd, ...args] = this.o.command;
    this.#update({ state: State.STATE_STARTING });
    const child = spawn(cmd!, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
      env: { ...process.env, [componentEnvVar]: encodeComponentEnv(this.o.env) },
    });
    this.#child = child;
    const died = new AbortController();
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        died.abort(code !== null ? `exited with code ${code}` : `killed by ${signal}`);
        this.#onExit(child, String(died.signal.reason));
        resolve();
      });
      child.once('error', (err) => {
        died.abort(err.message);
        resolve();
      });
    });
    try {
      await waitServing(this.o.env.socket, { timeoutMs: this.o.startTimeoutMs ?? 20_000, signal: died.signal });
      const version = await this.#version();
      this.#update({ state: State.STATE_RUNNING, health: Health.HEALTH_SERVING, pid: child.pid ?? 0, restarts: this.#restarts, ...version });
      this.o.log.info('component serving', { pid: child.pid, restarts: this.#restarts });
    } catch (err) {
      if (!died.signal.aborted) child.kill('SIGKILL');
      await this.#exited;
      throw err;
    }
  }

  #onExit(child: ChildProcess, how: string): void {
    const running = this.o.registry.get(this.name).state === State.STATE_RUNNING;
    if (this.#stopping || !running || child !== this.#child) return;
    const reason = this.#killReason ?? how;
    this.#killReason = undefined;
    this.#restarts += 1;
    const d = this.o.budget.onDeath();
    if (!d.restart) {
      this.o.log.error('component failed: not restarting', { reason: `${reason}; ${d.reason}` });
      this.#update({ state: State.STATE_FAILED, health: Health.HEALTH_NOT_SERVING, pid: 0, restarts: this.#restarts, lastReason: `${reason}; ${d.reason}` });
      return;
    }
    this.o.log.warn('component died, restarting', { reason, delayMs: d.delayMs });
    this.#update({ state: State.STATE_RESTARTING, health: Health.HEALTH_NOT_SERVING, pid: 0, restarts: this.#restarts, lastReason: reason });
    this.#restartTimer = setTimeout(() => {
      this.start().catch((err) => this.o.log.error('component restart failed', { err }));
    }, d.delayMs);
  }

  async #version(): Promise<{ version: string; revision: string }> {
    const client = connect(VersionClient, this.o.env.socket);
    try {
      const v = await unary(client.get.bind(client), {}, { timeoutMs: 2000 });
      return { version: v.version, revision: v.revision };
    } finally {
      client.close();
    }
  }

  #update(patch: Parameters<RegistryState['update']>[1]): void {
    this.o.registry.update(this.name, patch);
  }
}
