import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Collects the garbage startup leaves behind (parsed config, compiled-away module sources, the
 * initialization pass), once, shortly after the server is listening. V8 runs no collection on an
 * idle process, so without this an idle depot keeps ~10 MB of startup garbage resident until
 * traffic arrives; with it the idle footprint is the live heap. Skipped when `gc` cannot be had.
 */
export function settleHeapSoon(delayMs = 1000): void {
  let gc: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return;
  }
  setTimeout(() => gc?.(), delayMs).unref();
}
