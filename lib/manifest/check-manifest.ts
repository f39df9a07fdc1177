/**
 * The manifest's cross-checks: names and services unique, services and implementations known,
 * every requirement hosted somewhere, init and the registry hosted together inline.
 */
import type { ComponentSpec, ServiceCatalog } from './manifest.js';
import { initService, registryService } from './manifest.js';
import { invalid } from './manifest-error.js';

export function checkManifest(components: ComponentSpec[], catalog: ServiceCatalog, source: string): void {
  const host = new Map<string, string>();
  const names = new Set<string>();
  for (const c of components) {
    if (names.has(c.name)) throw invalid(source, `component "${c.name}" is declared twice`);
    names.add(c.name);
    for (const s of c.services) {
      const impls = catalog[s.name];
      if (!impls) throw invalid(source, `component "${c.name}": unknown service "${s.name}" (known: ${Object.keys(catalog).join(', ')})`);
      if (!impls[s.implementation]) {
        throw invalid(source, `component "${c.name}": service ${s.name} has no implementation "${s.implementation}" (known: ${Object.keys(impls).join(', ')})`);
      }
      const other = host.get(s.name);
      if (other !== undefined) throw invalid(source, `service ${s.name} is hosted twice: by component "${other}" and by component "${c.name}"`);
      host.set(s.name, c.name);
    }
  }
  checkInit(components, catalog, host, source);
  for (const c of components) checkRequirements(c, catalog, host, source);
}

function checkInit(components: ComponentSpec[], catalog: ServiceCatalog, host: Map<string, string>, source: string): void {
  const init = host.get(initService);
  if (init === undefined) throw invalid(source, `no component hosts ${initService}`);
  const initComponent = components.find((c) => c.name === init)!;
  if (initComponent.placement !== 'inline') throw invalid(source, `component "${init}" hosts ${initService}, so its placement must be inline`);
  if (host.get(registryService) !== init) {
    throw invalid(source, `${registryService} must be hosted by component "${init}" with ${initService}: init keeps the registry's records`);
  }
  const outside = initComponent.requires.find((r) => host.get(r) !== init);
  if (outside !== undefined) throw invalid(source, `component "${init}" starts first, so it cannot require ${outside} from component "${host.get(outside)}"`);
  for (const c of components) {
    for (const s of c.services) {
      if (catalog[s.name]![s.implementation]!.providedByInit && c.name !== init) {
        throw invalid(source, `component "${c.name}": service ${s.name} is served by init itself; host it in component "${init}"`);
      }
    }
  }
}

function checkRequirements(c: ComponentSpec, catalog: ServiceCatalog, host: Map<string, string>, source: string): void {
  const own = new Set(c.services.map((s) => s.name));
  for (const r of c.requires) {
    if (!host.has(r)) throw invalid(source, `component "${c.name}" requires ${r}, which no component hosts`);
  }
  for (const s of c.services) {
    for (const needed of catalog[s.name]![s.implementation]!.requires) {
      if (!own.has(needed) && !c.requires.includes(needed)) {
        throw invalid(source, `component "${c.name}": service ${s.name} (${s.implementation}) requires ${needed}; add it to the component's requires`);
      }
    }
  }
}
