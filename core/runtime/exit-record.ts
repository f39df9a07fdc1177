import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { constants } from 'node:os';

/**
 * How a process ended, as its monitor records it in `exit.json` (written
 * atomically, last: once it exists the output is drained and, for a
 * container, the runtime has deleted it). Docker's numbers: a process killed
 * by a signal exits `128 + signal` (137 for SIGKILL, 143 for SIGTERM).
 */
export interface ExitRecord {
  exitCode: number;
  /** The signal number when a signal ended the process. */
  signal?: number;
  /** RFC 3339 with up to nanoseconds, UTC, trailing zeros trimmed (Go's RFC3339Nano). */
  finishedAt: string;
  /** Set when an exec could not be started: the runtime's message. */
  error?: string;
}

/** `SIGKILL` for 9, etc.; undefined for an unknown number. */
export function signalName(signal: number): string | undefined {
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0];
}

/** The record, or undefined while the process has not exited. */
export async function readExitRecord(exitFile: string): Promise<ExitRecord | undefined> {
  try {
    return JSON.parse(await readFile(exitFile, 'utf8')) as ExitRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Resolves with the exit record once the monitor has written it. Watches the
 * file's directory (the record appears by rename), checking once after the
 * watch is in place so a record written before the call is not missed.
 */
export function waitExit(exitFile: string, signal?: AbortSignal): Promise<ExitRecord> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(exitFile), { signal });
    let done = false;
    const check = () => {
      readExitRecord(exitFile).then((record) => {
        if (!record || done) return;
        done = true;
        watcher.close();
        resolve(record);
      }, fail);
    };
    const fail = (err: unknown) => {
      if (done) return;
      done = true;
      watcher.close();
      reject(err);
    };
    watcher.on('change', (_event, name) => {
      if (name === null || String(name) === basename(exitFile)) check();
    });
    watcher.on('error', fail);
    check();
  });
}
