import { watch } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { constants } from 'node:os';

/**
 * How a container ended, as the monitor records it in the exit file. Docker's
 * numbers: a process killed by a signal exits `128 + signal` (137 for SIGKILL,
 * 143 for SIGTERM), and `signal` names it.
 */
export interface ExitRecord {
  exitCode: number;
  signal?: string;
  /** RFC 3339 with nanosecond-free milliseconds, UTC. */
  finishedAt: string;
  /** Set when the container never ran: the runtime's message. */
  error?: string;
}

/** Decodes a wait(2) status word (WIFEXITED / WIFSIGNALED). */
export function exitFromWaitStatus(status: number, finishedAt: Date): ExitRecord {
  const termSignal = status & 0x7f;
  if (termSignal === 0) return { exitCode: (status >> 8) & 0xff, finishedAt: finishedAt.toISOString() };
  const signal = Object.entries(constants.signals).find(([, n]) => n === termSignal)?.[0];
  return { exitCode: 128 + termSignal, ...(signal ? { signal } : {}), finishedAt: finishedAt.toISOString() };
}

/** Writes the record atomically (temp file + rename): a reader never sees half of it. */
export async function writeExitRecord(exitFile: string, record: ExitRecord): Promise<void> {
  const temp = `${exitFile}.tmp`;
  await writeFile(temp, JSON.stringify(record) + '\n');
  await rename(temp, exitFile);
}

/** The record, or undefined while the container has not exited. */
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
