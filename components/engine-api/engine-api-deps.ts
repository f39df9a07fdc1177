/**
 * What the engine API needs from the rest of Moby Core. Route groups receive these; later
 * groups add their component clients here.
 */
import type { EventsSubscriber } from '../../core/events/events.js';
import type { HostFactsSource } from '../../core/system/host-facts.js';
import type { ImageStore } from '../../core/image-store/image-store.js';
import type { ContainerEngine } from '../../core/container-engine/container-engine.js';
import type { NetworkService } from '../../core/networks/network-service.js';
import type { VolumeService } from '../../core/volumes/volume-service.js';

/** One running Moby Core component, as the component registry knows it. */
export interface ComponentFact {
  /** The component's name, e.g. "image-store". */
  name: string;
  version: string;
  /** The services it hosts, e.g. ["image-store", "layer-store"]. */
  services: string[];
  /** Its health, e.g. "SERVING". */
  health: string;
  /** Its process id; the engine's own pid for in-process components. */
  pid: number;
}

/** Object counts for `/info`. */
export interface EngineCounts {
  containers: number;
  running: number;
  paused: number;
  stopped: number;
  images: number;
}

/**
 * Live facts about the engine, implemented over the component registry. Either call may
 * reject (a component is down): `/version` and `/info` then still answer, without those facts.
 */
export interface EngineFacts {
  components(): Promise<ComponentFact[]>;
  counts(): Promise<EngineCounts>;
}

export interface EngineApiDeps {
  /** Moby Core's version, e.g. "0.1.0": the `Server` header, `/version`, `/info` ServerVersion. */
  version: string;
  /** The source revision it was built from (GitCommit). */
  revision: string;
  /** The data root (`/var/lib/moby`): DockerRootDir; the engine ID is kept here. */
  dataRoot: string;
  facts: EngineFacts;
  /** Build time as RFC 3339 (`2026-05-07T21:09:36.000000000+00:00`); "" when unknown. */
  buildTime?: string;
  /** Host facts; default `new LocalHostFacts()` (reads this machine, runs `runc --version` once). */
  host?: HostFactsSource;
  /** The clock for `/info` SystemTime; default `() => new Date()`. */
  now?: () => Date;
  /** The image store (dialled through the registry on first use); absent: image routes answer 501. */
  images?: () => Promise<ImageStore>;
  /** The container services (dialled through the registry on first use); absent: container routes answer 501. */
  containers?: () => Promise<ContainerEngine>;
  /** The volume services (dialled through the registry on first use); absent: volume routes answer 501. */
  volumes?: () => Promise<VolumeService>;
  /** The network services (dialled through the registry on first use); absent: network routes answer 501. */
  networks?: () => Promise<NetworkService>;
  /** The events service (dialled through the registry on first use); absent: `GET /events` answers 501. */
  events?: () => Promise<EventsSubscriber>;
  /** Where 5xx failures are logged, one line each; default stderr. */
  log?: (line: string) => void;
}
