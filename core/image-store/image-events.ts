import type { EventDraft } from '../events/event-message.js';
import { referenceString, withDefaultTag, type Reference } from '../image/reference.js';
import type { ImageRecords } from './image-records.js';

/** Where the store tells what happened to its images; it must not throw (the component publishes). */
export type ImageEventSink = (event: EventDraft) => void;

/** The actions Docker reports for images, with the store's operations that report them. */
export type ImageAction = 'pull' | 'push' | 'tag' | 'untag' | 'delete' | 'import' | 'load' | 'save' | 'prune';

/**
 * An image event as moby's `LogImageEvent(imageID, refName, action)` makes it: the actor is
 * the image ID (or, for pull and push, the reference as the user gave it), its attributes the
 * image's labels plus `name`. Docker's choices of `id` and `name` per action:
 *  - tag: the image ID, the new name (`bb:1`);
 *  - untag, delete, import, load, save: the image ID twice;
 *  - pull, push: `127.0.0.1:5000/bb:1`, and the repository `127.0.0.1:5000/bb`.
 */
export function imageEvent(action: ImageAction, id: string, name: string, labels?: Record<string, string> | null): EventDraft {
  return { type: 'image', action, actor: { id, attributes: { ...(labels ?? {}), name } } };
}

/** `docker image prune`'s summary event: no actor ID, the bytes reclaimed. */
export function pruneEvent(reclaimed: number): EventDraft {
  return { type: 'image', action: 'prune', actor: { id: '', attributes: { reclaimed: String(reclaimed) } } };
}

/** The labels of the image `ref` names (`latest` when it has no tag), as moby's `GetImage(ref)` finds them for pull and push events. */
export function labelsOfName(records: ImageRecords, ref: Reference): Record<string, string> | null | undefined {
  const id = records.idOfName(referenceString(withDefaultTag(ref)));
  return id === undefined ? undefined : records.get(id)?.labels;
}
