/**
 * Docker's JSON progress messages for pull and push, with the same fields in
 * the same order as the daemon writes them (`jsonmessage.JSONMessage`):
 * `{"status","progressDetail","progress","id"}`. The `progress` text is what
 * `JSONProgress.String()` gives at the daemon's width (200 columns): a
 * 50-character bar and the sizes in decimal units.
 */
export interface JsonMessage {
  status?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  id?: string;
  errorDetail?: { message: string };
  error?: string;
  aux?: Record<string, unknown>;
}

/** Receives progress messages in order; it must not throw. */
export type ProgressSink = (message: JsonMessage) => void;

/** How often byte progress is reported, as Docker's progress reader does: every 512 KiB, and at the end. */
export const progressEvery = 512 * 1024;

/** The 12 hex characters Docker shows for a digest. */
export function shortId(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

/** go-units' `HumanSize`: decimal units, 4 significant digits (`1.8MB`, `527B`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}

/** `JSONProgress.String()` at 200 columns: `[=====>     ]  1.049MB/2.097MB`. */
export function progressText(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const filled = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(filled)}>${' '.repeat(50 - filled)}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

/** `{"status":…,"progressDetail":{},"id":…}`: a step of one layer. */
export function layerStatus(status: string, id: string): JsonMessage {
  return { status, progressDetail: {}, id };
}

/** `{"status":…,"progressDetail":{"current","total"},"progress":…,"id":…}`. */
export function layerProgress(status: string, id: string, current: number, total: number): JsonMessage {
  return { status, progressDetail: { current, total }, progress: progressText(current, total), id };
}

/** A message with no layer: `{"status":"Digest: sha256:…"}`, or `{"status":"Pulling from x","id":"latest"}`. */
export function plainStatus(status: string, id?: string): JsonMessage {
  return id === undefined ? { status } : { status, id };
}

/**
 * Byte progress of one transfer: `advance` reports at most every
 * `progressEvery` bytes; `finish` reports the final count if not yet shown.
 */
export class ByteProgress {
  private shown: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly status: string,
    private readonly id: string,
    private readonly total: number,
    private current = 0,
  ) {
    this.shown = current;
  }

  advance(bytes: number): void {
    this.moveTo(this.current + bytes);
  }

  /** Sets the count (a re-sent chunk moves it back). */
  moveTo(current: number): void {
    this.current = current;
    if (Math.abs(this.current - this.shown) >= progressEvery) this.show();
  }

  finish(): void {
    if (this.current !== this.shown) this.show();
  }

  private show(): void {
    this.shown = this.current;
    this.sink(layerProgress(this.status, this.id, this.current, this.total));
  }
}
