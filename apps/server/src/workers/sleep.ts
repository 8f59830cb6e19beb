/** Resolves after `ms`, or early (without throwing) when `signal` aborts or `wake` is called. */
export function sleep(ms: number, signal: AbortSignal, wake?: { onWake?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (wake) wake.onWake = undefined;
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    if (wake) wake.onWake = done;
  });
}
