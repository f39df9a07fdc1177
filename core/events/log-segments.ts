/**
 * The on-disk form of the events log: numbered segment files of JSON lines
 * (`0000000001.jsonl`, …), one event per line, `timeNano` as a decimal string.
 */
import { readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { stamp, type EventMessage } from './event-message.js';

export interface Segment {
  seq: number;
  path: string;
  bytes: number;
  /** timeNano of its first and last events; undefined while it is empty. */
  first?: bigint;
  last?: bigint;
}

const segmentName = /^(\d{10})\.jsonl$/;

export function segmentPath(dir: string, seq: number): string {
  return join(dir, `${String(seq).padStart(10, '0')}.jsonl`);
}

export function encodeLine(e: EventMessage): string {
  return `${JSON.stringify({ type: e.type, action: e.action, actor: e.actor, scope: e.scope, timeNano: String(e.timeNano) })}\n`;
}

/** The events of a segment's text; a line that does not parse (a torn write) is skipped. */
export function decodeLines(text: string): EventMessage[] {
  const events: EventMessage[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const r = JSON.parse(line) as { type: string; action: string; actor: EventMessage['actor']; scope: string; timeNano: string };
      events.push(stamp(r, BigInt(r.timeNano)));
    } catch {
      // torn or foreign line
    }
  }
  return events;
}

/**
 * The segments under `dir`, oldest first, with their sizes and time ranges. A last segment
 * that ends inside a line (the process died mid-write) is cut back to its last whole line.
 */
export async function loadSegments(dir: string): Promise<Segment[]> {
  const seqs = (await readdir(dir))
    .map((name) => segmentName.exec(name)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (const [i, seq] of seqs.entries()) {
    const path = segmentPath(dir, seq);
    let text = await readFile(path, 'utf8');
    if (i === seqs.length - 1 && text !== '' && !text.endsWith('\n')) {
      text = text.slice(0, text.lastIndexOf('\n') + 1);
      await truncate(path, Buffer.byteLength(text));
    }
    const events = decodeLines(text);
    segments.push({ seq, path, bytes: Buffer.byteLength(text), first: events[0]?.timeNano, last: events.at(-1)?.timeNano });
  }
  return segments;
}
