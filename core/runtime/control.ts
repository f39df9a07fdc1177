/**
 * Talking to a container's monitor outside attach.
 *
 * Signals a container through its monitor's `control.sock` (protocol at the top of
 * `monitor/moby-monitor.c`): one connection, the signal number as BE32, one byte back. The
 * monitor is the init's parent and reaper, so the pid it signals cannot have been reused, and
 * no runtime process (`runc kill`, tens of ms) runs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { errorOf } from '../../lib/errdefs/index.js';
import { isMonitor } from './reattach.js';

/** `sent`, or `not-running`: the init has exited (the monitor is finishing up). */
export type ControlResult = 'sent' | 'not-running';

/**
 * Asks the monitor whose state directory is `stateDir` to send `signal` to the container's
 * init. Rejects with `unavailable` when no monitor answers there (none, or one that predates
 * the control socket): the caller may fall back to the runtime's `kill`.
 */
export function signalThroughMonitor(stateDir: string, signal: number, timeoutMs = 2000): Promise<ControlResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(join(stateDir, 'control.sock'));
    let settled = false;
    const finish = (err: Error | undefined, result?: ControlResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(() => finish(errorOf('unavailable', `monitor in ${stateDir}: no answer to a signal in ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      const req = Buffer.alloc(4);
      req.writeUInt32BE(signal);
      socket.write(req);
    });
    socket.once('data', (b: Buffer) => {
      switch (b[0]) {
        case 0: return finish(undefined, 'sent');
        case 2: return finish(undefined, 'not-running');
        case 1: return finish(errorOf('invalid-argument', `invalid signal ${signal}`));
        default: return finish(errorOf('internal', `monitor in ${stateDir}: the kill of signal ${signal} failed`));
      }
    });
    socket.once('error', (err) => finish(errorOf('unavailable', `monitor in ${stateDir}: ${err.message}`, err)));
    socket.once('close', () => finish(errorOf('unavailable', `monitor in ${stateDir}: closed without an answer`)));
  });
}

/**
 * Resolves once the container monitor whose state directory is `stateDir` has let go of the
 * runtime's container: it wrote `deleted` after `runtime delete` (it records the exit first,
 * so a waiter for the exit is not held up by the delete), or it is gone, or there is none.
 * Before the ID is created again or the directory removed. Gives up after `timeoutMs` (the
 * caller then deletes through the runtime itself, as for a monitor that died).
 */
export async function waitReleased(stateDir: string, id: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    if (existsSync(join(stateDir, 'deleted'))) return;
    const pid = Number.parseInt(await readFile(join(stateDir, 'monitor.pid'), 'utf8').catch(() => ''), 10);
    if (!pid || !(await isMonitor(pid, id))) return;
    if (Date.now() >= deadline) return;
    await delay(wait);
  }
}
