/**
 * Polls a condition until it holds: tests wait for states, never for fixed times.
 */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  what: string | (() => string);
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('moby daemon exited')) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const what = typeof opts.what === 'string' ? opts.what : opts.what();
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
