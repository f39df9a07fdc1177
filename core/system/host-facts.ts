import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { detectCgroupFeatures, detectCgroupVersion, type CgroupFeatures, type CgroupVersion } from './cgroup-info.js';
import { parseOsRelease, type OsRelease } from './os-release.js';
import { readRuntimeVersion, type RuntimeVersion } from './runtime-version.js';

/** What the engine reports about the machine it runs on (`/info`, `/version`). */
export interface HostFacts {
  /** `uname -r`. */
  kernelVersion: string;
  /** os-release PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)". */
  operatingSystem: string;
  /** os-release VERSION_ID, e.g. "12". */
  osVersion: string;
  /** "linux". */
  osType: string;
  /** `uname -m`, e.g. "x86_64" (Docker's Architecture). */
  architecture: string;
  /** The engine's own architecture in Go's words, e.g. "amd64" (Docker's Arch). */
  goArch: string;
  /** CPUs this process may run on. */
  ncpu: number;
  /** Total memory in bytes. */
  memTotal: number;
  hostname: string;
  cgroupVersion: CgroupVersion;
  cgroup: CgroupFeatures;
  ipv4Forwarding: boolean;
  /** The kernel supports seccomp filters. */
  seccomp: boolean;
  /** Open file descriptors of this process (Docker's NFd). */
  openFds: number;
  /** The OCI runtime's `--version`, or undefined when it is missing. */
  runtime: RuntimeVersion | undefined;
}

/** Anything that can report host facts; the engine API takes one (tests pass a fake). */
export interface HostFactsSource {
  read(): Promise<HostFacts>;
}

/** Where `LocalHostFacts` looks; tests point these at a fake tree. */
export interface LocalHostFactsOptions {
  /** Prefix for /etc, /proc and /sys paths; default "/". */
  root?: string;
  /** The OCI runtime binary asked for its version; default "runc". */
  runtimePath?: string;
}

/** Facts that cannot change while the process lives, read once. */
interface StaticFacts {
  osRelease: OsRelease;
  cgroupVersion: CgroupVersion;
  cgroup: CgroupFeatures;
  seccomp: boolean;
  runtime: RuntimeVersion | undefined;
}

/**
 * Reads host facts from the local machine. Facts that cannot change while the process runs
 * (os-release, cgroup layout, seccomp, the runtime's version) are read once per instance and
 * cached; the rest (hostname, CPUs, memory, forwarding, open fds) are read on every call.
 */
export class LocalHostFacts implements HostFactsSource {
  readonly #root: string;
  readonly #runtimePath: string;
  #static: Promise<StaticFacts> | undefined;

  constructor(options: LocalHostFactsOptions = {}) {
    this.#root = options.root ?? '/';
    this.#runtimePath = options.runtimePath ?? 'runc';
  }

  async read(): Promise<HostFacts> {
    this.#static ??= this.#readStatic();
    const [fixed, ipv4Forwarding, openFds] = await Promise.all([
      this.#static,
      readTrimmed(this.#path('proc/sys/net/ipv4/ip_forward')).then((v) => v === '1'),
      readdir(this.#path('proc/self/fd')).then((fds) => fds.length, () => 0),
    ]);
    return {
      kernelVersion: os.release(),
      operatingSystem: fixed.osRelease.prettyName,
      osVersion: fixed.osRelease.versionId,
      osType: os.platform(),
      architecture: os.machine(),
      goArch: goArchOf(process.arch),
      ncpu: os.availableParallelism(),
      memTotal: os.totalmem(),
      hostname: os.hostname(),
      cgroupVersion: fixed.cgroupVersion,
      cgroup: fixed.cgroup,
      ipv4Forwarding,
      seccomp: fixed.seccomp,
      openFds,
      runtime: fixed.runtime,
    };
  }

  async #readStatic(): Promise<StaticFacts> {
    const cgroupRoot = this.#path('sys/fs/cgroup');
    const cgroupVersion = await detectCgroupVersion(cgroupRoot);
    const [osRelease, cgroup, status, runtime] = await Promise.all([
      readTrimmed(this.#path('etc/os-release'))
        .then((text) => text || readTrimmed(this.#path('usr/lib/os-release')))
        .then(parseOsRelease),
      detectCgroupFeatures(cgroupRoot, cgroupVersion),
      readTrimmed(this.#path('proc/self/status')),
      readRuntimeVersion(this.#runtimePath),
    ]);
    return { osRelease, cgroupVersion, cgroup, seccomp: /^Seccomp:/m.test(status), runtime };
  }

  #path(relative: string): string {
    return join(this.#root, relative);
  }
}

const goArchByNodeArch: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le', mipsel: 'mipsle' };

/** Node's `process.arch` in Go's GOARCH words (amd64, arm64, 386, …). */
export function goArchOf(nodeArch: string): string {
  return goArchByNodeArch[nodeArch] ?? nodeArch;
}

/** A file's content without surrounding whitespace, "" when it cannot be read. */
async function readTrimmed(path: string): Promise<string> {
  return readFile(path, 'utf8').then((text) => text.trim(), () => '');
}
