/**
 * Docker's event filters (moby `daemon/events/filter.go`): every filter name given must
 * match (AND); within one name, any value may match (OR).
 * - `type`, `scope`: exact; `event`: exact on the action, but by prefix when one of the
 *   values is `exec_create`, `exec_start` or `health_status` (so `exec_start` matches
 *   `exec_start: sh -c …`), and, ours, `component-health` (`component-health: unhealthy`);
 * - `container`, `volume`, `network`, `plugin`, `daemon`, `node`, `service`, `secret`,
 *   `config`: the actor's ID or its `name` attribute, by prefix, whatever the event's type
 *   (as in moby, `container=web` leaves out a network's events);
 * - `image`: exact on the actor's ID or image name (the `name` attribute of image events,
 *   the `image` attribute of others), with or without its tag;
 * - `label`: every `key` or `key=value` given must be among the actor's attributes.
 * Unknown filter names are ignored, as moby does.
 */
import { familiarName, parseNormalizedNamed } from '../image/reference.js';
import type { EventMessage } from './event-message.js';

/** Filter name → accepted values; an absent or empty list does not filter. */
export type EventFilters = Readonly<Record<string, readonly string[]>>;

/** The filter names Docker documents for `GET /events`. */
export const eventFilterNames = [
  'config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume',
] as const;

const byName = ['daemon', 'container', 'plugin', 'volume', 'network', 'node', 'service', 'secret', 'config'] as const;
const prefixActions = new Set(['exec_create', 'exec_start', 'health_status', 'component-health']);

export function matchEvent(event: EventMessage, filters: EventFilters): boolean {
  const values = (key: string) => filters[key] ?? [];
  const exact = (key: string, source: string) => values(key).length === 0 || values(key).includes(source);
  const fuzzy = (key: string, source: string) => exact(key, source) || values(key).some((prefix) => source.startsWith(prefix));
  const attrs = event.actor.attributes;

  const eventMatches = values('event').some((v) => prefixActions.has(v)) ? fuzzy('event', event.action) : exact('event', event.action);
  return (
    eventMatches &&
    exact('type', event.type) &&
    exact('scope', event.scope) &&
    byName.every((key) => fuzzy(key, event.actor.id) || fuzzy(key, attrs.name ?? '')) &&
    matchImage(event, (source) => exact('image', source)) &&
    matchLabels(values('label'), attrs)
  );
}

function matchImage(event: EventMessage, exact: (source: string) => boolean): boolean {
  const name = event.actor.attributes[event.type === 'image' ? 'name' : 'image'] ?? '';
  return exact(event.actor.id) || exact(name) || exact(stripTag(event.actor.id)) || exact(stripTag(name));
}

/** moby `MatchKVList`: every `k` / `k=v` must be present; no attributes matches nothing. */
function matchLabels(wanted: readonly string[], attrs: Record<string, string>): boolean {
  if (wanted.length === 0) return true;
  if (Object.keys(attrs).length === 0) return false;
  return wanted.every((label) => {
    const eq = label.indexOf('=');
    const key = eq === -1 ? label : label.slice(0, eq);
    if (!Object.hasOwn(attrs, key)) return false;
    return eq === -1 || attrs[key] === label.slice(eq + 1);
  });
}

/** The familiar name without tag or digest (`docker.io/library/busybox:1` → `busybox`); as is when unparsable. */
function stripTag(image: string): string {
  try {
    return familiarName(parseNormalizedNamed(image));
  } catch {
    return image;
  }
}
