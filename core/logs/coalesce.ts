import { BlockEntry, type LogEntry, type LogStreamName } from './json-line.js';

/** An entry that may stand for several: a run of one stream's lines, with the first one's time. */
export interface CoalescedEntry {
  stream: LogStreamName;
  line: Buffer;
  time: string;
}

/**
 * Joins each run of consecutive entries of one stream into one entry (the lines back to back,
 * the first entry's time). For readers that show no times and need no entry boundaries: a
 * block of a log written by one stream becomes one entry instead of thousands.
 *
 * Entries decoded from one block (core/logs `decodeLines`, in order) are joined in place:
 * each line moves down over the JSON around the one before, so the run is one view of the
 * block, without a copy. The block's other entries are not valid afterwards: hand this
 * function the entries of a block once everyone else is done with them.
 */
export function coalesceRuns(entries: readonly LogEntry[]): CoalescedEntry[] {
  const out: CoalescedEntry[] = [];
  for (let i = 0; i < entries.length; ) {
    const first = entries[i]!;
    const time = first.time; // before the block is rewritten
    let j = i + 1;
    while (j < entries.length && entries[j]!.stream === first.stream) j++;
    if (j === i + 1) out.push({ stream: first.stream, line: first.line, time });
    else out.push({ stream: first.stream, line: joinLines(entries, i, j), time });
    i = j;
  }
  return out;
}

function joinLines(entries: readonly LogEntry[], from: number, to: number): Buffer {
  const first = entries[from]!;
  if (first instanceof BlockEntry && inOneBlock(entries, from, to, first.block)) {
    const block = first.block;
    let at = first.lineEnd;
    for (let k = from + 1; k < to; k++) {
      const e = entries[k] as BlockEntry;
      block.copyWithin(at, e.lineStart, e.lineEnd);
      at += e.lineEnd - e.lineStart;
    }
    return block.subarray(first.lineStart, at);
  }
  return Buffer.concat(entries.slice(from, to).map((e) => e.line));
}

/** Whether entries [from, to) are all views of `block`, in order (each after the one before). */
function inOneBlock(entries: readonly LogEntry[], from: number, to: number, block: Buffer): boolean {
  let end = 0;
  for (let k = from; k < to; k++) {
    const e = entries[k]!;
    if (!(e instanceof BlockEntry) || e.block !== block || e.lineStart < end) return false;
    end = e.lineEnd;
  }
  return true;
}
