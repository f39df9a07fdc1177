/**
 * Turns manifest YAML into a checked `Manifest`, refusing unknown keys, unknown services and
 * implementations, duplicate services, missing requirements and cycles, each with a message
 * naming the culprit.
 */
import { parseDocument } from 'yaml';
import { invalid } from './manifest-error.js';
import {
  defaultImplementation,
  type ComponentSpec,
  type Manifest,
  type Placement,
  type ServiceCatalog,
  type ServiceRef,
} from './manifest.js';
import { checkManifest } from './check-manifest.js';
import { startOrder } from './start-order.js';

const topKeys = ['version', 'components'];
const componentKeys = ['name', 'placement', 'services', 'requires', 'command'];
const serviceKeys = ['name', 'implementation'];
const namePattern = /^[a-z][a-z0-9-]{0,62}$/;

export function parseManifest(text: string, catalog: ServiceCatalog, source = 'manifest'): Manifest {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw invalid(source, doc.errors[0]!.message);
  const raw: unknown = doc.toJS();
  const top = asObject(raw, source, 'the document');
  unknownKeys(top, topKeys, source, 'the document');
  if (top.version !== 1) throw invalid(source, `version must be 1, got ${JSON.stringify(top.version)}`);
  if (!Array.isArray(top.components) || top.components.length === 0) throw invalid(source, 'components must be a non-empty list');
  const components = top.components.map((c, i) => parseComponent(c, i, source));
  checkManifest(components, catalog, source);
  return { version: 1, components: startOrder(components, source) };
}

function parseComponent(raw: unknown, index: number, source: string): ComponentSpec {
  const where = `components[${index}]`;
  const c = asObject(raw, source, where);
  const name = c.name;
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw invalid(source, `${where}: name must match ${namePattern}, got ${JSON.stringify(name)}`);
  }
  const at = `component "${name}"`;
  unknownKeys(c, componentKeys, source, at);
  const placement = (c.placement ?? 'process') as Placement;
  if (placement !== 'process' && placement !== 'inline') {
    throw invalid(source, `${at}: placement must be "process" or "inline", got ${JSON.stringify(c.placement)}`);
  }
  if (!Array.isArray(c.services) || c.services.length === 0) throw invalid(source, `${at}: services must be a non-empty list`);
  const services = c.services.map((s) => parseServiceRef(s, source, at));
  const requires = stringList(c.requires ?? [], source, `${at}: requires`);
  const spec: ComponentSpec = { name, placement, services, requires };
  if (c.command !== undefined) {
    spec.command = stringList(c.command, source, `${at}: command`);
    if (spec.command.length === 0) throw invalid(source, `${at}: command must not be empty`);
    if (placement === 'inline') throw invalid(source, `${at}: an inline component cannot have a command`);
  }
  return spec;
}

function parseServiceRef(raw: unknown, source: string, at: string): ServiceRef {
  if (typeof raw === 'string') return { name: raw, implementation: defaultImplementation };
  const s = asObject(raw, source, `${at}: service`);
  unknownKeys(s, serviceKeys, source, `${at}: service ${JSON.stringify(s.name)}`);
  if (typeof s.name !== 'string') throw invalid(source, `${at}: a service needs a name`);
  const implementation = s.implementation ?? defaultImplementation;
  if (typeof implementation !== 'string') throw invalid(source, `${at}: service ${s.name}: implementation must be a string`);
  return { name: s.name, implementation };
}

function asObject(raw: unknown, source: string, where: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(source, `${where} must be a mapping`);
  return raw as Record<string, unknown>;
}

function unknownKeys(obj: Record<string, unknown>, known: string[], source: string, where: string): void {
  const extra = Object.keys(obj).filter((k) => !known.includes(k));
  if (extra.length > 0) throw invalid(source, `${where}: unknown key "${extra[0]}" (known: ${known.join(', ')})`);
}

function stringList(raw: unknown, source: string, where: string): string[] {
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) throw invalid(source, `${where} must be a list of strings`);
  return raw as string[];
}
