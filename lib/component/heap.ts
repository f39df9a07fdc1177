/**
 * One full garbage collection once a component is serving: start-up (loading code, opening
 * databases, migrations) leaves garbage in the old generation that V8 would keep until the
 * heap grows again, which an idle engine never does. Collecting it once lowers idle memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function collectStartupGarbage(delayMs = 1000): void {
  setTimeout(() => {
    try {
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as () => void)();
    } catch {
      // an optimisation only
    }
  }, delayMs).unref();
}
