/**
 * Runs a real `moby daemon` for end-to-end tests, fully isolated under a temporary directory
 * (its own data root, exec root and Docker CLI config), and guarantees it is gone afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../lib/component/paths.js';
import { listComponents } from '../../tools/component-ls.js';
import type { Component } from '../../api/moby/component_registry/v1/component_registry.js';
import { State } from '../../api/moby/component_registry/v1/component_registry.js';
import { waitUntil } from './wait.js';

export const mobyBin = join(repoRoot, 'bin', 'moby');

export interface EngineOptions {
  /** A manifest file; default: the embedded default. */
  manifest?: string;
  env?: Record<string, string>;
  /**
   * A data root to use instead of a fresh one under the engine's directory, e.g. to start an
   * engine again on the data of one stopped before. The caller owns it: cleanup leaves it.
   */
  dataRoot?: string;
}

export interface TestEngine {
  dir: string;
  dataRoot: string;
  execRoot: string;
  dockerSocket: string;
  /** Environment for the docker CLI: DOCKER_HOST and an empty DOCKER_CONFIG. */
  dockerEnv: NodeJS.ProcessEnv;
  daemon: ChildProcess;
  /** Everything the daemon and its components printed so far. */
  output(): string;
  components(): Promise<Component[]>;
  /** SIGTERM, then waits for the daemon to exit; resolves to its exit code. */
  stop(): Promise<number | null>;
  /** Kills whatever is left and removes the directory. Safe to call twice. */
  cleanup(): Promise<void>;
}

interface Hooks {
  after(fn: () => Promise<void>): void;
}

export async function startEngine(hooks: Hooks, opts: EngineOptions = {}): Promise<TestEngine> {
  const dir = await mkdtemp('/tmp/mce-');
  const dataRoot = opts.dataRoot ?? join(dir, 'data');
  const execRoot = join(dir, 'run');
  const args = ['daemon', '--data-root', dataRoot, '--exec-root', execRoot];
  if (opts.manifest) args.push('--manifest', opts.manifest);
  const daemon = spawn(mobyBin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '';
  daemon.stdout!.on('data', (d) => (out += d));
  daemon.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
  const seenPids = new Set<number>();

  const components = async () => {
    const list = await listComponents(execRoot);
    for (const c of list) if (c.pid && c.pid !== daemon.pid) seenPids.add(c.pid);
    return list;
  };
  const cleanup = async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    await exited;
    for (const pid of seenPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  hooks.after(cleanup);

  const engine: TestEngine = {
    dir,
    dataRoot,
    execRoot,
    dockerSocket: join(execRoot, 'docker.sock'),
    dockerEnv: { ...process.env, DOCKER_HOST: `unix://${join(execRoot, 'docker.sock')}`, DOCKER_CONFIG: join(dir, 'docker-config') },
    daemon,
    output: () => out,
    components,
    stop: async () => {
      daemon.kill('SIGTERM');
      return exited;
    },
    cleanup,
  };
  await waitUntil(
    async () => {
      if (daemon.exitCode !== null) throw new Error(`moby daemon exited with ${daemon.exitCode}:\n${out}`);
      if (!existsSync(join(execRoot, 'moby-daemon.json'))) return false;
      return (await components()).every((c) => c.state === State.STATE_RUNNING);
    },
    { timeoutMs: 30_000, what: () => `engine in ${dir} to be ready; output:\n${out}` },
  );
  return engine;
}
