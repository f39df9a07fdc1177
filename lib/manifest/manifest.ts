/**
 * The manifest: which components exist, which services each hosts (and by which
 * implementation), how each is started, and which services it requires. Read once, at
 * start-up; everything it says is checked before anything starts.
 *
 * ```yaml
 * version: 1
 * components:
 *   - name: init
 *     placement: inline            # inside the daemon's own process
 *     services: [component-init, component-registry]
 *   - name: engine-api
 *     services: [http-api-v1]      # or {name: http-api-v1, implementation: builtin}
 *     requires: [component-registry]
 * ```
 */

/** `process`: a process of its own, started and restarted by init. `inline`: inside init's process. */
export type Placement = 'process' | 'inline';

export interface ServiceRef {
  name: string;
  implementation: string;
}

export interface ComponentSpec {
  name: string;
  placement: Placement;
  services: ServiceRef[];
  /** Services this component needs from other components; they start first. */
  requires: string[];
  /** For `process` placement: a command to run instead of Moby Core's own component host. */
  command?: string[];
}

export interface Manifest {
  version: 1;
  /** In start order: every component after the components hosting what it requires. */
  components: ComponentSpec[];
}

/** What the code offers, as data: each service's implementations and what each requires. */
export type ServiceCatalog = Record<string, Record<string, ImplementationFacts>>;

export interface ImplementationFacts {
  /** Services this implementation calls; the hosting component must require or host them. */
  requires: string[];
  /** Served by the init daemon itself (component-init, component-registry). */
  providedByInit?: boolean;
}

export const defaultImplementation = 'builtin';
export const initService = 'component-init';
export const registryService = 'component-registry';
