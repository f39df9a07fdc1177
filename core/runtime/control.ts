/**
 * Signals a container through its monitor's `control.sock` (protocol at the top of
 * `monitor/moby-monitor.c`): one connection, the signal number as BE32, one byte back. The
 * monitor is the init's parent and reaper, so the pid it signals cannot have been reused, and
 * no runtime process (`runc kill`, tens of ms) runs.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';

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
