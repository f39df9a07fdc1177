/**
 * Orders components so each starts after init and after the components hosting what it requires, keeping
 * manifest order where it is free; a cycle is refused, naming its members.
 */
import { initService, type ComponentSpec } from './manifest.js';
import { invalid } from './manifest-error.js';

/**
 * The names of the components `c` must wait for: the init component (every component finds
 * the others through the registry, which lives with init) and the hosts of what it requires.
 */
export function dependenciesOf(c: ComponentSpec, components: readonly ComponentSpec[]): string[] {
  const hostOf = new Map<string, string>();
  for (const x of components) for (const s of x.services) hostOf.set(s.name, x.name);
  const init = hostOf.get(initService)!;
  return [...new Set([init, ...c.requires.map((r) => hostOf.get(r)!)].filter((h) => h !== c.name))];
}

export function startOrder(components: ComponentSpec[], source: string): ComponentSpec[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  const deps = (c: ComponentSpec) => dependenciesOf(c, components);

  const ordered: ComponentSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: ComponentSpec, path: string[]) => {
    const s = state.get(c.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(c.name)), c.name];
      throw invalid(source, `requirements form a cycle: ${cycle.join(' -> ')}`);
    }
    state.set(c.name, 'visiting');
    for (const d of deps(c)) visit(byName.get(d)!, [...path, c.name]);
    state.set(c.name, 'done');
    ordered.push(c);
  };
  for (const c of components) visit(c, []);
  return ordered;
}
